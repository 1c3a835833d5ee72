package io.lore.machine.devices;

/**
 * A clock that only moves when a test says so. Wall-clock time advances together with the
 * monotonic time, like a host clock that nobody adjusts.
 */
final class ManualClock implements Clock {
    private final long originNanos;
    private final long originEpochMillis;
    private long nanos;

    /** Starts at an arbitrary non-zero monotonic time, so no device may assume an origin of 0. */
    ManualClock(long epochMillis) {
        this(7_000_000_123L, epochMillis);
    }

    ManualClock(long startNanos, long epochMillis) {
        this.originNanos = startNanos;
        this.originEpochMillis = epochMillis;
        this.nanos = startNanos;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long epochMillis() {
        return originEpochMillis + Math.floorDiv(nanos - originNanos, 1_000_000L);
    }

    void advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("time does not go backwards");
        }
        nanos += deltaNanos;
    }

    void set(long absoluteNanos) {
        advance(absoluteNanos - nanos);
    }
}
