package io.lore.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Sregs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guest page tables built by hand in guest memory: a kernel mapped high (as Linux maps itself at
 * 0xffffffff80000000) through 4 KiB, 2 MiB and 1 GiB pages, and the holes between them.
 */
class PageWalkerTest {
    private static final long P = 1, RW = 2, PS = 1 << 7;
    private static final long PML4 = 0x1000, PDPT_HIGH = 0x2000, PD_HIGH = 0x3000, PT_HIGH = 0x4000, PDPT_LOW = 0x5000;
    private GuestMemory mem;
    private Sregs s;

    @BeforeEach
    void tables() {
        mem = new GuestMemory(64L << 20);
        s = new Sregs();
        s.cr0 = 1L << 31 | 1;
        s.cr4 = 1 << 5;
        s.efer = 1 << 10 | 1 << 8;
        s.cr3 = PML4;
        // 0xffffffff80000000: PML4[511] -> PDPT[510] -> PD; PD[0] -> 4 KiB table, PD[1] a 2 MiB page
        mem.writeLong(PML4 + 511 * 8, PDPT_HIGH | P | RW);
        mem.writeLong(PDPT_HIGH + 510 * 8, PD_HIGH | P | RW);
        mem.writeLong(PD_HIGH, PT_HIGH | P | RW);
        mem.writeLong(PT_HIGH + 3 * 8, 0x7000 | P | RW);        // va ...80003000 -> 0x7000
        mem.writeLong(PD_HIGH + 8, 0x200000 | P | RW | PS);      // va ...80200000 -> 2 MiB page at 0x200000
        // low half: PML4[0] -> PDPT whose entry 1 is a 1 GiB page at 0
        mem.writeLong(PML4, PDPT_LOW | P | RW);
        mem.writeLong(PDPT_LOW + 8, 0 | P | RW | PS);            // va 0x40000000.. -> 0..
    }

    @AfterEach
    void free() {
        mem.close();
    }

    @Test
    void fourKiloBytePagesOfAKernelMappedHigh() {
        assertEquals(0x7123, PageWalker.translate(mem, s, 0xffffffff80003123L));
        assertEquals(-1, PageWalker.translate(mem, s, 0xffffffff80004000L), "PT entry 4 is not present");
    }

    @Test
    void twoMegaAndOneGigaBytePages() {
        assertEquals(0x200000 + 0x12345, PageWalker.translate(mem, s, 0xffffffff80212345L));
        assertEquals(0x3456789, PageWalker.translate(mem, s, 0x43456789L));
        assertEquals(-1, PageWalker.translate(mem, s, 0x00007f0000000000L), "unmapped PML4 slot");
    }

    @Test
    void readsCrossPagesAndStopAtHoles() {
        mem.write(0x7ffe, new byte[] {1, 2});
        mem.write(0x8000, new byte[] {3, 4});
        mem.writeLong(PT_HIGH + 4 * 8, 0x8000 | P);               // make ...80004000 -> 0x8000
        assertArrayEquals(new byte[] {1, 2, 3, 4}, PageWalker.readVirtual(mem, s, 0xffffffff80003ffeL, 4));
        assertNull(PageWalker.readVirtual(mem, s, 0xffffffff80004ffeL, 4), "the next page is unmapped");
    }

    @Test
    void withoutPagingAddressesArePhysical() {
        s.cr0 = 1;
        s.efer = 0;
        assertEquals(0x1234, PageWalker.translate(mem, s, 0x1234));
    }
}
