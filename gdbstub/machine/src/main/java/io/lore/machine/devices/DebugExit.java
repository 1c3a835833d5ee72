package io.lore.machine.devices;

import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * QEMU's {@code isa-debug-exit} device (default iobase 0xf4, iosize 4): lets a test guest end
 * the machine with a status. Writing {@code v} requests exit status {@code (v << 1) | 1}, the
 * same mapping QEMU uses, so guests behave identically under both (the status is always odd,
 * so it can never be mistaken for a clean shutdown). The arithmetic is done in 32 bits; a
 * process exit code keeps only its low 8 bits.
 *
 * <p>The device only records the request: stopping the vCPU is the run loop's job, which
 * either polls {@link #requestedExitStatus()} after each PIO exit or passes a listener. The
 * first request wins; later writes (the guest may keep running until the loop notices) are
 * ignored. Reads return all ones, as for an unassigned port.
 */
public final class DebugExit implements PortDevice {
    public static final int DEFAULT_PORT = 0xf4;
    public static final int PORT_COUNT = 4;

    private final IntConsumer listener;
    private boolean requested;
    private int status;

    public DebugExit() {
        this(null);
    }

    /** @param listener called once, with the exit status, on the first write; may be null */
    public DebugExit(IntConsumer listener) {
        this.listener = listener;
    }

    /** The status the guest asked to exit with, if it has written the port. */
    public OptionalInt requestedExitStatus() {
        return requested ? OptionalInt.of(status) : OptionalInt.empty();
    }

    @Override
    public int read(int port, int size) {
        return PortBus.allOnes(size);
    }

    @Override
    public void write(int port, int size, int value) {
        if (requested) {
            return;
        }
        requested = true;
        status = ((value & PortBus.allOnes(size)) << 1) | 1;
        if (listener != null) {
            listener.accept(status);
        }
    }
}
