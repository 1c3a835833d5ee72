package io.lore.machine;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Sregs;

/** The guest's interrupt descriptor table, read through its page tables. */
public final class Idt {
    private static final long EFER_LMA = 1L << 10;

    private Idt() {}

    /**
     * The handler address of {@code vector} from a 64-bit gate, or -1 where it cannot be read
     * (not in long mode, beyond the IDT's limit, gate not present, IDT unmapped).
     */
    public static long handler(GuestMemory mem, Sregs s, int vector) {
        if ((s.efer & EFER_LMA) == 0 || vector * 16L + 15 > s.idtLimit) {
            return -1;
        }
        byte[] g = PageWalker.readVirtual(mem, s, s.idtBase + vector * 16L, 16);
        if (g == null || (g[5] & 0x80) == 0) {
            return -1;
        }
        long lo = (g[0] & 0xff) | (g[1] & 0xff) << 8;
        long mid = (g[6] & 0xff) | (g[7] & 0xff) << 8;
        long hi = (g[8] & 0xffL) | (g[9] & 0xffL) << 8 | (g[10] & 0xffL) << 16 | (g[11] & 0xffL) << 24;
        return lo | mid << 16 | hi << 32;
    }
}
