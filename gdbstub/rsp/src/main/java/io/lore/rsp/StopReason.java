package io.lore.rsp;

/**
 * Why the target stopped, as the stub reports it to GDB (a T or W packet).
 * {@code watchAddress} is meaningful for {@link Kind#WATCHPOINT}.
 */
public record StopReason(Kind kind, BreakpointType watchType, long watchAddress, int exitStatus) {
    public enum Kind {
        /** A single step completed (forward or reverse). */
        STEP,
        /** A software or hardware breakpoint was hit. */
        SOFTWARE_BREAKPOINT, HARDWARE_BREAKPOINT,
        /** A watchpoint triggered; in reverse, the machine is left before the access. */
        WATCHPOINT,
        /** Reverse execution reached the start of the recording (replaylog:begin). */
        HISTORY_BEGIN,
        /** Forward execution reached the end of the recording (replaylog:end). */
        HISTORY_END,
        /** Stopped by {@link DebugTarget#interrupt()} (Ctrl-C). */
        INTERRUPTED,
        /** The debuggee is gone (exit status). */
        EXITED
    }

    public static StopReason of(Kind kind) {
        return new StopReason(kind, null, 0, 0);
    }

    public static StopReason watchpoint(BreakpointType type, long address) {
        return new StopReason(Kind.WATCHPOINT, type, address, 0);
    }

    public static StopReason exited(int status) {
        return new StopReason(Kind.EXITED, null, 0, status);
    }
}
