package io.lore.kmod;

import com.sun.jna.Pointer;

/** struct lore_stats: what the module counted for the attached VM since it attached. */
public record KernelStats(long exits, long entries, long records, long dropped, long pio, long mmio, long msr,
        long virq, long tsc, long tscDeferred, long tscMismatch, long feedConsumed, long feedInvalid,
        long branchOverflows, int flags, boolean capturing) {

    static KernelStats read(Pointer p) {
        long[] v = new long[14];
        for (int i = 0; i < v.length; i++) {
            v[i] = p.getLong(8L * i);
        }
        return new KernelStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                p.getInt(112), p.getInt(116) != 0);
    }

    /** The VMCB did not look as expected, so RDTSC was not intercepted. */
    public boolean tscLayoutBad() {
        return (flags & LoreAbi.STAT_TSC_LAYOUT_BAD) != 0;
    }
}
