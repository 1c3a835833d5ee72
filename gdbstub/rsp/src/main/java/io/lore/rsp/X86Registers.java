package io.lore.rsp;

/**
 * The x86-64 register file as GDB's target description presents it: general registers,
 * segment selectors, x87 and SSE state, and the system registers kernel developers need
 * (fs_base/gs_base, cr0/2/3/4/8, efer). Filled by the target, serialised by the stub.
 */
public final class X86Registers {
    /** rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..r15 — GDB's order (note rbp before rsp). */
    public final long[] gpr = new long[16];
    public long rip;
    public int eflags;
    /** cs, ss, ds, es, fs, gs selectors. */
    public final int[] segments = new int[6];
    /** st0..st7, 10 bytes each, little-endian 80-bit values. */
    public final byte[] st = new byte[80];
    public int fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop;
    /** xmm0..xmm15, 16 bytes each. */
    public final byte[] xmm = new byte[256];
    public int mxcsr;
    public long fsBase, gsBase;
    public long cr0, cr2, cr3, cr4, cr8, efer;
}
