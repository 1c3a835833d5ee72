package io.lore.machine;

import io.lore.machine.devices.Clock;
import io.lore.machine.devices.CmosRtc;
import io.lore.machine.devices.DebugExit;
import io.lore.machine.devices.Pic8259Pair;
import io.lore.machine.devices.Pit8254;
import io.lore.machine.devices.PortBus;
import io.lore.machine.devices.Uart16550;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The live PC: PIC pair, PIT, COM1, CMOS RTC and debug-exit on the port bus, timed by the
 * host clock. Nothing is mapped for MMIO: reads return all ones, as on an empty bus.
 */
public final class PcPlatform implements Platform {
    public static final int COM1 = 0x3f8;

    private final PortBus bus = new PortBus();
    private final Pic8259Pair pic = new Pic8259Pair();
    private final Pit8254 pit;
    private final Uart16550 uart;
    private final CmosRtc rtc;
    private final DebugExit debugExit = new DebugExit();
    private final SerialInputPump input;
    private long unassignedMmio;
    private java.util.function.IntConsumer serialInputListener = b -> {};

    public PcPlatform(Clock clock, long memoryBytes, OutputStream serialOut, InputStream serialIn) {
        pit = new Pit8254(clock, pic);
        uart = new Uart16550(pic, serialOut);
        rtc = new CmosRtc(clock);
        rtc.setMemorySize(memoryBytes);
        bus.register(0x20, 2, pic);
        bus.register(0xa0, 2, pic);
        bus.register(0x40, 4, pit);
        bus.register(0x61, 1, pit);
        bus.register(0x70, 2, rtc);
        bus.register(COM1, 8, uart);
        bus.register(DebugExit.DEFAULT_PORT, DebugExit.PORT_COUNT, debugExit);
        input = serialIn == null ? null : new SerialInputPump(serialIn);
    }

    /** Starts reading serial input; {@code wake} is called (on the reader thread) when bytes arrive. */
    public void startInput(Runnable wake) {
        if (input != null) {
            input.start(wake);
        }
    }

    @Override
    public int pioIn(int port, int size) {
        return bus.read(port, size);
    }

    @Override
    public void pioOut(int port, int size, int value) {
        bus.write(port, size, value);
    }

    @Override
    public long mmioRead(long address, int length) {
        unassignedMmio++;
        return -1L;
    }

    @Override
    public void mmioWrite(long address, int length, long value) {
        unassignedMmio++;
    }

    @Override
    public boolean interruptPending() {
        return pic.hasPendingInterrupt();
    }

    @Override
    public int acknowledgeInterrupt() {
        return pic.acknowledge();
    }

    @Override
    public long nextDeadline() {
        if (input != null && input.hasInput() && uart.canReceive()) {
            return Long.MIN_VALUE;
        }
        return pit.nextDeadline();
    }

    @Override
    public void advanceTo(long nanos) {
        pit.advanceTo(nanos);
        if (input != null) {
            while (input.hasInput() && uart.receive(input.peek())) {
                serialInputListener.accept(input.peek());
                input.take();
            }
        }
    }

    @Override
    public RunResult endRequest(long exits, long nanos) {
        var status = debugExit.requestedExitStatus();
        return status.isPresent() ? RunResult.debugExit(status.getAsInt(), exits, nanos) : null;
    }

    @Override
    public void close() {
        uart.flush();
        if (input != null) {
            input.close();
        }
    }

    /** Told of each byte handed to the UART's receiver (the recorder logs them for `lore events`). */
    public void onSerialInput(java.util.function.IntConsumer listener) {
        this.serialInputListener = listener;
    }

    public Pic8259Pair pic() { return pic; }
    public Pit8254 pit() { return pit; }
    public PortBus bus() { return bus; }
    public long unassignedMmioAccesses() { return unassignedMmio; }
}
