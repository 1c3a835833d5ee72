package io.lore.replay.travel;

import io.lore.replay.Divergence;

/** How a move of the {@link TimeTravel} engine ended. */
public record Motion(Kind kind, long address, StopSet.Watchpoint watchpoint, Divergence divergence) {
    public enum Kind {
        /** One instant, forward or back. */
        STEP,
        /** At a breakpoint ({@code address}). */
        BREAKPOINT,
        /** A watchpoint: forward, just after the access; backward, just before it. */
        WATCHPOINT,
        /** Backward to the start of the recording. */
        BEGIN,
        /** Forward to the end of the recording. */
        END,
        /** Interrupted from another thread. */
        INTERRUPTED,
        /** The replay left the recording (should never happen; the divergence says where). */
        DIVERGED
    }

    static Motion of(Kind k) {
        return new Motion(k, 0, null, null);
    }

    static Motion breakpoint(long address) {
        return new Motion(Kind.BREAKPOINT, address, null, null);
    }

    static Motion watchpoint(StopSet.Watchpoint w, long address) {
        return new Motion(Kind.WATCHPOINT, address, w, null);
    }

    static Motion diverged(Divergence d) {
        return new Motion(Kind.DIVERGED, 0, null, d);
    }
}
