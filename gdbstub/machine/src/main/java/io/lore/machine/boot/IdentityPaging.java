package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;

/** Page tables mapping the first 4 GiB 1:1 with 2 MiB pages, as the 64-bit boot protocol requires. */
final class IdentityPaging {
    private static final long PRESENT_WRITABLE = 0x3;
    private static final long LARGE_PAGE = 0x80;

    private IdentityPaging() {}

    static void write(GuestMemory mem) {
        mem.fill(BootLayout.PML4, 0x6000, (byte) 0);
        mem.writeLong(BootLayout.PML4, BootLayout.PDPT | PRESENT_WRITABLE);
        for (int gib = 0; gib < 4; gib++) {
            long pd = BootLayout.PD + 0x1000L * gib;
            mem.writeLong(BootLayout.PDPT + 8L * gib, pd | PRESENT_WRITABLE);
            for (int i = 0; i < 512; i++) {
                long address = ((long) gib << 30) | ((long) i << 21);
                mem.writeLong(pd + 8L * i, address | PRESENT_WRITABLE | LARGE_PAGE);
            }
        }
    }
}
