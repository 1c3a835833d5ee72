package io.lore.log;

import java.util.Arrays;

/**
 * An instruction boundary between two exits, named by the full machine state there: the
 * general registers (rip and rflags included), a hash of the system registers, and a digest of
 * guest memory. Between exits the guest is deterministic, so the first point after exit k with
 * this exact state is the one the recorder saw — replay finds it by trapping at {@code rip()}.
 * {@code branches} is the guest's retired-branch count there when the recording host had a PMU
 * (-1 otherwise): replay with a PMU runs at full speed until just before it; the state still decides.
 */
public record StatePoint(long[] regs, long systemHash, long memoryHash, long branches) {
    public static final int REGS = 18;
    public static final int RIP = 16;
    public static final int RFLAGS = 17;
    /** rflags bits that debugging itself changes (TF, RF) and that a match must ignore. */
    public static final long RFLAGS_DEBUG_BITS = (1L << 8) | (1L << 16);

    public static final long NO_BRANCH_COUNT = -1;

    public StatePoint(long[] regs, long systemHash, long memoryHash) {
        this(regs, systemHash, memoryHash, NO_BRANCH_COUNT);
    }

    public StatePoint {
        if (regs.length != REGS) {
            throw new IllegalArgumentException("a state point has " + REGS + " registers, not " + regs.length);
        }
    }

    public long rip() {
        return regs[RIP];
    }

    /** True if {@code other} general registers name the same point (debug rflags bits aside). */
    public boolean registersMatch(long[] other) {
        for (int i = 0; i < REGS; i++) {
            long a = regs[i], b = other[i];
            if (i == RFLAGS) {
                a &= ~RFLAGS_DEBUG_BITS;
                b &= ~RFLAGS_DEBUG_BITS;
            }
            if (a != b) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatePoint p && Arrays.equals(regs, p.regs) && systemHash == p.systemHash
                && memoryHash == p.memoryHash && branches == p.branches;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + Long.hashCode(memoryHash);
    }

    @Override
    public String toString() {
        return String.format("rip=%x rsp=%x mem=%016x", regs[RIP], regs[6], memoryHash);
    }
}
