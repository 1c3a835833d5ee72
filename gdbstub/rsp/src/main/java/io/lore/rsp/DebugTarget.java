package io.lore.rsp;

/**
 * What the GDB stub needs from a debuggee: registers, memory, breakpoints, and execution in
 * both directions. The stub speaks the protocol; the target (LoRe's replay engine, or a fake
 * in tests) knows nothing of packets. Calls come from one thread, except {@link #interrupt()}.
 */
public interface DebugTarget {
    /** Fills {@code into} with the current register values. */
    void readRegisters(X86Registers into);

    /**
     * Reads {@code length} bytes at {@code address} (guest-virtual unless the target was switched
     * to physical addressing); returns fewer bytes, or none, where memory is not readable.
     */
    byte[] readMemory(long address, int length);

    /** Whether writes (registers, memory) are allowed; a replay refuses them. */
    default String writeRefusal() {
        return "the target is read-only";
    }

    /**
     * Inserts a breakpoint or watchpoint; false if this kind is not supported. Throws (an
     * unchecked exception with a message for the user) if this one cannot be inserted.
     */
    boolean insertBreakpoint(BreakpointType type, long address, int length);

    boolean removeBreakpoint(BreakpointType type, long address, int length);

    /** Runs until something stops it; {@link #interrupt()} from another thread stops it early. */
    StopReason resume(ResumeMode mode);

    /** From any thread (GDB's Ctrl-C): make the current {@link #resume} return as soon as possible. */
    void interrupt();

    /** Whether reverse execution (bs/bc) is available. */
    boolean canReverse();

    /** A `monitor` command (qRcmd); returns the text to show, or throws IllegalArgumentException for an unknown command. */
    String monitor(String command);

    /** The debuggee went away (GDB detached or killed it). */
    default void detach() {}
}
