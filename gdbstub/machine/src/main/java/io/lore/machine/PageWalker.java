package io.lore.machine;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Sregs;

/**
 * Translates guest-virtual to guest-physical addresses by walking the guest's own page
 * tables, in whatever mode the guest is in: no paging, 32-bit (4 MiB pages with PSE), PAE, or
 * 4-/5-level long mode with 2 MiB and 1 GiB pages.
 */
public final class PageWalker {
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_LA57 = 1 << 12;
    private static final long EFER_LMA = 1 << 10;
    private static final long PRESENT = 1, PAGE_SIZE_BIT = 1 << 7;
    private static final long ADDR_MASK = 0x000ffffffffff000L;

    private PageWalker() {}

    /** The physical address of {@code va}, or -1 if it is not mapped (or the tables are outside RAM). */
    public static long translate(GuestMemory mem, Sregs s, long va) {
        if ((s.cr0 & CR0_PG) == 0) {
            return (s.efer & EFER_LMA) != 0 ? va : va & 0xffffffffL;
        }
        if ((s.efer & EFER_LMA) != 0) {
            int levels = (s.cr4 & CR4_LA57) != 0 ? 5 : 4;
            return walk(mem, s.cr3 & ADDR_MASK, va, levels, 9, 8, ADDR_MASK);
        }
        if ((s.cr4 & CR4_PAE) != 0) {
            long pdpte = read(mem, (s.cr3 & 0xffffffe0L) + ((va >>> 30) & 3) * 8, 8);
            if (pdpte == -1 || (pdpte & PRESENT) == 0) {
                return -1;
            }
            return walk(mem, pdpte & ADDR_MASK, va & 0x3fffffffL, 2, 9, 8, ADDR_MASK);
        }
        // 32-bit paging: two levels of 1024 four-byte entries; 4 MiB pages with PSE
        long pde = read(mem, (s.cr3 & 0xfffff000L) + ((va >>> 22) & 0x3ff) * 4, 4);
        if (pde == -1 || (pde & PRESENT) == 0) {
            return -1;
        }
        if ((pde & PAGE_SIZE_BIT) != 0 && (s.cr4 & CR4_PSE) != 0) {
            return (pde & 0xffc00000L) | (va & 0x3fffffL);
        }
        long pte = read(mem, (pde & 0xfffff000L) + ((va >>> 12) & 0x3ff) * 4, 4);
        if (pte == -1 || (pte & PRESENT) == 0) {
            return -1;
        }
        return (pte & 0xfffff000L) | (va & 0xfff);
    }

    /** Walks {@code levels} levels of 512-entry tables; large pages allowed above the last level. */
    private static long walk(GuestMemory mem, long table, long va, int levels, int bitsPerLevel, int entrySize,
            long addrMask) {
        for (int level = levels; level >= 1; level--) {
            int shift = 12 + bitsPerLevel * (level - 1);
            long index = (va >>> shift) & ((1L << bitsPerLevel) - 1);
            long e = read(mem, table + index * entrySize, entrySize);
            if (e == -1 || (e & PRESENT) == 0) {
                return -1;
            }
            if (level == 1 || ((e & PAGE_SIZE_BIT) != 0 && level <= 3)) {
                long pageMask = (1L << shift) - 1;
                return (e & addrMask & ~pageMask) | (va & pageMask);
            }
            table = e & addrMask;
        }
        return -1;
    }

    private static long read(GuestMemory mem, long pa, int size) {
        if (!mem.contains(pa, size)) {
            return -1;
        }
        return size == 8 ? mem.readLong(pa) : mem.readInt(pa) & 0xffffffffL;
    }

    /** Reads {@code length} bytes at guest-virtual {@code va}, page by page; null if any page is unmapped. */
    public static byte[] readVirtual(GuestMemory mem, Sregs s, long va, int length) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long pa = translate(mem, s, va + done);
            int inPage = (int) Math.min(length - done, 0x1000 - ((va + done) & 0xfff));
            if (pa < 0 || !mem.contains(pa, inPage)) {
                return null;
            }
            mem.read(pa, out, done, inPage);
            done += inPage;
        }
        return out;
    }
}
