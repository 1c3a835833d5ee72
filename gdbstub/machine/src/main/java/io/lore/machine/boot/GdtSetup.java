package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;

/**
 * A flat GDT matching the segment state {@link CpuSetup} loads, so a guest that reloads a
 * selector before installing its own GDT still gets the segment it expects.
 */
final class GdtSetup {
    static final long[] ENTRIES = {
        0,
        0x00cf9b000000ffffL, // 0x08: 32-bit code, flat
        0x00af9b000000ffffL, // 0x10: 64-bit code
        0x00cf93000000ffffL, // 0x18: data, flat
        0x00008b0000000067L, // 0x20: 64-bit TSS (busy), base 0
        0,
    };

    private GdtSetup() {}

    static void write(GuestMemory mem) {
        for (int i = 0; i < ENTRIES.length; i++) {
            mem.writeLong(BootLayout.GDT + 8L * i, ENTRIES[i]);
        }
    }

    static int limit() {
        return ENTRIES.length * 8 - 1;
    }
}
