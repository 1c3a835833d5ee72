package io.lore.log;

/**
 * One logged event. {@code ordinal} counts the guest's synchronous VM exits (PIO, MMIO, HLT):
 * those happen at the same instruction in record and replay, so "exit k" names a point in
 * time for free. An event of exit k carries ordinal k; an event between exits (an interrupt
 * injected when the guest was kicked) carries the ordinal of the last exit before it.
 */
public sealed interface Event {
    long ordinal();

    EventKind kind();

    /** Data the guest read from an I/O port (one element of a string IN per event). */
    record PioIn(long ordinal, int port, int size, int value) implements Event {
        public EventKind kind() { return EventKind.PIO_IN; }
    }

    /** The guest wrote an I/O port; logged so replay can check it does the same. */
    record PioOut(long ordinal, int port, int size, int value) implements Event {
        public EventKind kind() { return EventKind.PIO_OUT; }
    }

    record MmioRead(long ordinal, long address, int size, long value) implements Event {
        public EventKind kind() { return EventKind.MMIO_READ; }
    }

    record MmioWrite(long ordinal, long address, int size, long value) implements Event {
        public EventKind kind() { return EventKind.MMIO_WRITE; }
    }

    /** The guest executed HLT (exit {@code ordinal}). */
    record Halt(long ordinal) implements Event {
        public EventKind kind() { return EventKind.HALT; }
    }

    /**
     * An interrupt was injected. With {@code at == null} it was injected right after exit
     * {@code ordinal}, before the guest ran another instruction; otherwise at the point after
     * that exit where the guest's state equals {@code at}.
     */
    record Interrupt(long ordinal, int vector, StatePoint at) implements Event {
        public EventKind kind() { return EventKind.INTERRUPT; }
    }

    /** A byte arrived on the serial console's input (informational: the guest reads it by PIO). */
    record SerialInput(long ordinal, int data) implements Event {
        public EventKind kind() { return EventKind.SERIAL_INPUT; }
    }

    /** A verification digest of the whole machine right after exit {@code ordinal}. */
    record Digest(long ordinal, long cpuHash, long memoryHash) implements Event {
        public EventKind kind() { return EventKind.DIGEST; }
    }

    /** How the recorded run ended, after exit {@code ordinal}. */
    record End(long ordinal, EndReason reason, int status) implements Event {
        public EventKind kind() { return EventKind.END; }
    }

    /**
     * The guest executed RDTSC between exit {@code ordinal} and the next one, at {@code rip},
     * and read {@code value}. Logged only with kernel-assisted capture (lore.ko intercepts
     * RDTSC); replay hands the values back in order, and they are not exits of their own.
     */
    record Tsc(long ordinal, long value, long rip) implements Event {
        public EventKind kind() { return EventKind.TSC; }
    }

    enum EndReason {
        DEBUG_EXIT, HALTED, CRASHED, TIME_LIMIT, STOPPED
    }
}
