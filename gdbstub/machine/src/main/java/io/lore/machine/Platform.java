package io.lore.machine;

/**
 * Everything outside the CPU, as the run loop sees it. The live PC answers from its device
 * models; a recorder wraps it and logs what it answers; a replayer answers from the log. The
 * loop itself never knows which.
 */
public interface Platform {
    int pioIn(int port, int size);

    void pioOut(int port, int size, int value);

    long mmioRead(long address, int length);

    void mmioWrite(long address, int length, long value);

    /** An interrupt is waiting for the CPU (the PIC asserts INTR). */
    boolean interruptPending();

    /** Interrupt acknowledge: the vector to inject now. Only called when {@link #interruptPending()}. */
    int acknowledgeInterrupt();

    /** When (in {@link io.lore.machine.devices.Clock} ns) the platform next needs {@link #advanceTo}; MAX_VALUE if never. */
    long nextDeadline();

    /** Time has reached {@code nanos}: fire due timers, take pending serial input. */
    void advanceTo(long nanos);

    /** Non-null once the guest has asked to end the run (debug-exit port). */
    RunResult endRequest(long exits, long nanos);

    /** The run is over: flush output. */
    default void close() {}
}
