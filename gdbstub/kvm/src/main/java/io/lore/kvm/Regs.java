package io.lore.kvm;

import com.sun.jna.Pointer;
import java.util.Arrays;

/** General-purpose registers (struct kvm_regs), indexed in the kernel's order. */
public final class Regs {
    public static final int RAX = 0, RBX = 1, RCX = 2, RDX = 3, RSI = 4, RDI = 5, RSP = 6, RBP = 7,
            R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15, RIP = 16, RFLAGS = 17;
    public static final String[] NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

    private final long[] r = new long[18];

    public long get(int index) { return r[index]; }
    public void set(int index, long value) { r[index] = value; }
    public long rip() { return r[RIP]; }
    public void rip(long v) { r[RIP] = v; }
    public long rflags() { return r[RFLAGS]; }
    public void rflags(long v) { r[RFLAGS] = v; }
    public long rsp() { return r[RSP]; }

    public Regs copy() {
        Regs c = new Regs();
        System.arraycopy(r, 0, c.r, 0, r.length);
        return c;
    }

    public void copyFrom(Regs other) {
        System.arraycopy(other.r, 0, r, 0, r.length);
    }

    void load(Pointer p) { p.read(0, r, 0, r.length); }
    void load(RunArea synced) { synced.syncedRegs(r); }
    void store(Pointer p) { p.write(0, r, 0, r.length); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Regs && Arrays.equals(r, ((Regs) o).r);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(r);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
            sb.append(String.format("%-6s %016x%s", NAMES[i], r[i], i % 4 == 3 ? "\n" : "  "));
        }
        return sb.toString().trim();
    }
}
