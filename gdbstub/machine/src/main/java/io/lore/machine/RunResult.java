package io.lore.machine;

/**
 * How a guest run ended. {@link #exitStatus()} is what `lore run` exits with: the debug-exit
 * status (always odd), or one of the even codes below.
 */
public record RunResult(Outcome outcome, int exitStatus, String detail, long exits, long nanos) {
    public enum Outcome {
        /** The guest wrote to the debug-exit port. */
        DEBUG_EXIT,
        /** The guest halted with interrupts disabled, or asked for power-off. */
        HALTED,
        /** Triple fault, KVM internal error, failed entry or an exit LoRe cannot handle. */
        CRASHED,
        /** --time-limit reached. */
        TIME_LIMIT,
        /** Stopped from outside (debugger, Ctrl-C). */
        STOPPED
    }

    public static final int STATUS_HALTED = 0;
    public static final int STATUS_CRASHED = 4;
    public static final int STATUS_TIME_LIMIT = 124;
    public static final int STATUS_STOPPED = 130;

    /** The first line of {@link #detail()}: a crash's detail goes on with a register dump. */
    public String headline() {
        int nl = detail.indexOf('\n');
        return nl < 0 ? detail : detail.substring(0, nl);
    }

    /** {@code status} is the device's (value << 1) | 1; a process keeps its low 8 bits. */
    public static RunResult debugExit(int status, long exits, long nanos) {
        return new RunResult(Outcome.DEBUG_EXIT, status & 0xff,
                "guest wrote 0x" + Integer.toHexString(status >>> 1) + " to the debug-exit port", exits, nanos);
    }
}
