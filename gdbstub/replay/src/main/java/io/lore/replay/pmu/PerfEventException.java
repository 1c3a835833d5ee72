package io.lore.replay.pmu;

/** A perf_event_open-family call failed; the message names the call and the errno symbolically. */
public final class PerfEventException extends RuntimeException {
    private final int errno;

    public PerfEventException(String operation, int errno) {
        super(operation + " failed: " + Errno.describe(errno));
        this.errno = errno;
    }

    public PerfEventException(String message) {
        super(message);
        this.errno = 0;
    }

    /** The errno, or 0 when the failure was not a syscall error (e.g. a short read). */
    public int errno() {
        return errno;
    }
}
