package io.lore.machine.devices;

/**
 * The time source devices see. The live machine uses the host's monotonic clock; tests use a
 * manual clock so device behaviour can be checked without sleeping.
 */
public interface Clock {
    /** Monotonic nanoseconds since an arbitrary origin. */
    long nanos();

    /** Wall-clock time in milliseconds since the epoch, for the RTC. */
    long epochMillis();

    Clock HOST = new Clock() {
        @Override public long nanos() { return System.nanoTime(); }
        @Override public long epochMillis() { return System.currentTimeMillis(); }
    };
}
