package io.lore.rsp;

/**
 * {@link StopReason} to GDB's stop reply packets: {@code T05} (SIGTRAP) with the reason as
 * {@code swbreak:}, {@code hwbreak:}, {@code watch/rwatch/awatch:<addr>} or
 * {@code replaylog:begin/end}; {@code T02} (SIGINT) for an interrupt; {@code W<status>} for exit.
 * Every T reply names thread 1, the only thread.
 */
final class StopReplies {
    static final int SIGINT = 2;
    static final int SIGTRAP = 5;
    static final String THREAD = "thread:1;";

    private StopReplies() {}

    /**
     * @param swbreak whether GDB announced swbreak+ (otherwise it does not know the key)
     * @param hwbreak whether GDB announced hwbreak+
     */
    static String encode(StopReason reason, boolean swbreak, boolean hwbreak) {
        return switch (reason.kind()) {
            case STEP -> signal(SIGTRAP, "");
            case SOFTWARE_BREAKPOINT -> signal(SIGTRAP, swbreak ? "swbreak:;" : "");
            case HARDWARE_BREAKPOINT -> signal(SIGTRAP, hwbreak ? "hwbreak:;" : "");
            case WATCHPOINT -> signal(SIGTRAP, watchKey(reason.watchType()) + ":"
                    + Long.toHexString(reason.watchAddress()) + ";");
            case HISTORY_BEGIN -> signal(SIGTRAP, "replaylog:begin;");
            case HISTORY_END -> signal(SIGTRAP, "replaylog:end;");
            case INTERRUPTED -> signal(SIGINT, "");
            case EXITED -> {
                StringBuilder sb = new StringBuilder("W");
                Hex.appendByte(sb, reason.exitStatus());
                yield sb.toString();
            }
        };
    }

    static String signal(int signal, String extra) {
        StringBuilder sb = new StringBuilder("T");
        Hex.appendByte(sb, signal);
        return sb.append(THREAD).append(extra).toString();
    }

    private static String watchKey(BreakpointType type) {
        if (type == BreakpointType.READ_WATCH) {
            return "rwatch";
        }
        if (type == BreakpointType.ACCESS_WATCH) {
            return "awatch";
        }
        return "watch";
    }
}
