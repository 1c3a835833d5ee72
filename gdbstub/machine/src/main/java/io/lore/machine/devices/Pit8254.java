package io.lore.machine.devices;

/**
 * Intel 8254 programmable interval timer (ports 0x40-0x43) plus the PC's port 0x61 bits that
 * belong to it (channel 2 gate and output), because guests calibrate their TSC with channel 2.
 *
 * <p>Nothing ticks: a counter is a function of how many edges of the 1 193 182 Hz input clock
 * have passed since it was loaded, evaluated from {@link Clock#nanos()} when the guest reads
 * it. All channels count edges of one free-running oscillator (edge 0 is the construction
 * time), so pausing and resuming a channel with its gate loses no phase. Channel 0 drives IRQ 0;
 * the run loop asks {@link #nextDeadline()} when to kick the vCPU and calls
 * {@link #advanceTo(long)}, which raises the due interrupt. Deadlines are computed from the
 * input-clock edge at which the count was loaded, never from the previous deadline, so a
 * periodic timer does not drift; if the host fell behind by several periods only one interrupt is raised (the PIC
 * would have latched only one edge anyway).
 *
 * <p>Modes: 0 (interrupt on terminal count), 2 (rate generator), 3 (square wave) and 4
 * (software strobe) on all channels; 1 and 5 (hardware-triggered) start on a rising gate, so
 * they only ever run on channel 2, whose gate is port 0x61 bit 0 (channels 0 and 1 have their
 * gates tied high on a PC). Modes 6 and 7 are aliases of 2 and 3 (the status byte reports the
 * bits as written). Latch command, read-back command (count and/or status), the three access
 * modes and count 0 = 65536 are supported.
 *
 * <p>Documented deviations: BCD counting is not supported (the BCD bit is stored and reported
 * in the status byte, but counting is binary). A count is loaded into the counting element
 * at the input-clock edge it is written in rather than on the next one, so the null-count
 * status bit clears immediately (modes 1 and 5 keep it set until the gate trigger). A new count
 * written in mode 2 or 3 restarts the period at once instead of at the end of the current one.
 * A count of 1, illegal in modes 2 and 3, is treated as 2. IRQ 0 is delivered as a pulse per
 * event (rising edge of OUT) rather than by mirroring OUT, which the edge-triggered PIC cannot
 * tell apart. The speaker is not modelled (bit 1 of port 0x61 is only stored).
 */
public final class Pit8254 implements PortDevice, TimedDevice {
    public static final long FREQUENCY_HZ = 1_193_182L;
    public static final int FIRST_PORT = 0x40;
    public static final int CONTROL_PORT = 0x43;
    public static final int PORT_61 = 0x61;
    public static final int IRQ = 0;
    private static final long NS_PER_S = 1_000_000_000L;
    /** Port 0x61 bit 4 toggles with each DRAM refresh request, every 15.085 µs on a PC. */
    private static final long REFRESH_HALF_PERIOD_NS = 15_085L;

    /** Input-clock edges in {@code ns} nanoseconds (exact floor, no overflow for any ns >= 0). */
    static long ticksIn(long ns) {
        return ns / NS_PER_S * FREQUENCY_HZ + ns % NS_PER_S * FREQUENCY_HZ / NS_PER_S;
    }

    /** Smallest ns such that {@code ticksIn(ns) >= ticks}. */
    static long nanosFor(long ticks) {
        long rem = ticks % FREQUENCY_HZ * NS_PER_S;
        return ticks / FREQUENCY_HZ * NS_PER_S + (rem + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
    }

    private static final class Channel {
        /** Normalised mode 0-5, and the 3 mode bits as written (for the status byte). */
        int mode;
        int rawMode;
        /** RW field: 1 = lobyte, 2 = hibyte, 3 = lobyte then hibyte. */
        int access = 3;
        boolean bcd;
        boolean gate = true;
        /** Count register: the last count written, 1..65536. */
        int reload;
        boolean loaded;
        /** The count the current run started from. */
        int n;
        /** True while the counting element runs from {@code n} (modes 1/5: after a trigger). */
        boolean counting;
        /** Input-clock edge at which the run started or (modes 0/4) last resumed. */
        long startEdge;
        /** Ticks counted before {@code start}; frozen while the gate pauses the counter. */
        long ticksBefore;
        /** Value shown while not counting. */
        int held;
        boolean writeHigh;
        int lowByte;
        /** Read flip-flop for access mode 3, shared by latched and live reads as on the chip. */
        boolean readHigh;
        boolean countLatched;
        int latchedCount;
        boolean statusLatched;
        int latchedStatus;
        boolean nullCount = true;
        /** Channel 0 interrupt bookkeeping: periods already signalled, terminal count signalled. */
        long periodsDelivered;
        boolean terminalDelivered;

        boolean gatePauses() {
            return mode != 1 && mode != 5;
        }

        long elapsed(long edge) {
            if (!counting) {
                return 0;
            }
            if (!gate && gatePauses()) {
                return ticksBefore;
            }
            return ticksBefore + Math.max(0, edge - startEdge);
        }

        int period() {
            return Math.max(n, 2);
        }

        /** Tick at which OUT rises at the end of a one-shot (modes 0/1: TC; 4/5: after the strobe). */
        long terminalTick() {
            return mode >= 4 ? n + 1L : n;
        }

        int value(long edge) {
            if (!counting) {
                return held & 0xffff;
            }
            long e = elapsed(edge);
            switch (mode) {
                case 2: {
                    int p = period();
                    return (int) (p - e % p) & 0xffff;
                }
                case 3: {
                    int p = period();
                    int r = (int) (e % p);
                    int high = (p + 1) / 2;
                    // Even counts go N, N-2, ..., 2 in each half; odd counts drop by 1 first in
                    // the high half and by 3 first in the low half, so the high half is longer.
                    int v;
                    if (r < high) {
                        v = r == 0 ? p : (p & 1) == 0 ? p - 2 * r : p + 1 - 2 * r;
                    } else {
                        int s = r - high;
                        v = s == 0 ? p : (p & 1) == 0 ? p - 2 * s : p - 1 - 2 * s;
                    }
                    return v & 0xffff;
                }
                default:
                    // One-shot modes keep counting down through zero and wrap.
                    return (int) ((n - e) & 0xffff);
            }
        }

        boolean out(long edge) {
            if (!counting) {
                return mode != 0; // mode 0 drives OUT low from the control word on
            }
            long e = elapsed(edge);
            switch (mode) {
                case 0:
                case 1:
                    return e >= n;
                case 2:
                    return !gate || e % period() != period() - 1;
                case 3:
                    return !gate || e % period() < (period() + 1) / 2;
                default:
                    return e != n; // modes 4/5: one tick low at terminal count
            }
        }

        int status(long edge) {
            return (out(edge) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | access << 4 | rawMode << 1
                    | (bcd ? 1 : 0);
        }

        void startRun(long edge) {
            n = reload;
            counting = true;
            startEdge = edge;
            ticksBefore = 0;
            nullCount = false;
            periodsDelivered = 0;
            terminalDelivered = false;
        }

        void latchCount(long edge) {
            if (!countLatched) {
                countLatched = true;
                latchedCount = value(edge);
            }
        }

        void setGate(long edge, boolean level) {
            if (level == gate) {
                return;
            }
            if (!level) {
                if (counting && gatePauses()) {
                    ticksBefore = elapsed(edge);
                }
                gate = false;
                return;
            }
            gate = true;
            switch (mode) {
                case 0, 4 -> startEdge = edge; // resume where the count stopped
                default -> {
                    // Modes 2/3 reload on the rising gate; modes 1/5 are triggered by it.
                    if (loaded) {
                        startRun(edge);
                    }
                }
            }
        }
    }

    private final Clock clock;
    private final IrqSink irq;
    /** Clock time of input-clock edge 0: all channels count edges of this one oscillator. */
    private final long origin;
    private final Channel[] channels = {new Channel(), new Channel(), new Channel()};
    /** Port 0x61 bits 1-3 (speaker data, parity and channel check enables), stored only. */
    private int port61Bits;

    public Pit8254(Clock clock, IrqSink irq) {
        this.clock = clock;
        this.irq = irq;
        this.origin = clock.nanos();
        channels[2].gate = false; // port 0x61 resets to 0; channels 0 and 1 are tied high
    }

    /** Input-clock edges from the origin to {@code nanos}. */
    private long edgeAt(long nanos) {
        return ticksIn(Math.max(0, nanos - origin));
    }

    @Override
    public int read(int port, int size) {
        long nanos = clock.nanos();
        long edge = edgeAt(nanos);
        if (port == PORT_61) {
            Channel c2 = channels[2];
            return (c2.gate ? 0x01 : 0) | port61Bits
                    | (int) ((nanos - origin) / REFRESH_HALF_PERIOD_NS & 1) << 4
                    | (c2.out(edge) ? 0x20 : 0);
        }
        if (port < FIRST_PORT || port >= CONTROL_PORT) {
            return 0xff; // the control register cannot be read
        }
        return readCounter(channels[port - FIRST_PORT], edge);
    }

    private static int readCounter(Channel c, long edge) {
        if (c.statusLatched) {
            c.statusLatched = false;
            return c.latchedStatus;
        }
        int v = c.countLatched ? c.latchedCount : c.value(edge);
        switch (c.access) {
            case 1:
                c.countLatched = false;
                return v & 0xff;
            case 2:
                c.countLatched = false;
                return v >> 8 & 0xff;
            default:
                if (!c.readHigh) {
                    c.readHigh = true;
                    return v & 0xff;
                }
                c.readHigh = false;
                c.countLatched = false;
                return v >> 8 & 0xff;
        }
    }

    @Override
    public void write(int port, int size, int value) {
        long edge = edgeAt(clock.nanos());
        int v = value & 0xff;
        if (port == PORT_61) {
            port61Bits = v & 0x0e;
            channels[2].setGate(edge, (v & 1) != 0);
        } else if (port == CONTROL_PORT) {
            writeControl(v, edge);
        } else if (port >= FIRST_PORT && port < CONTROL_PORT) {
            writeCounter(channels[port - FIRST_PORT], v, edge);
        }
    }

    private void writeControl(int v, long edge) {
        int sel = v >> 6;
        if (sel == 3) {
            // Read-back: bit 5 clear = latch count, bit 4 clear = latch status, bits 1-3 pick
            // channels 0-2. A latch already held is not overwritten until it has been read.
            for (int i = 0; i < 3; i++) {
                if ((v & (2 << i)) == 0) {
                    continue;
                }
                Channel c = channels[i];
                if ((v & 0x20) == 0) {
                    c.latchCount(edge);
                }
                if ((v & 0x10) == 0 && !c.statusLatched) {
                    c.statusLatched = true;
                    c.latchedStatus = c.status(edge);
                }
            }
            return;
        }
        Channel c = channels[sel];
        int rw = v >> 4 & 3;
        if (rw == 0) {
            c.latchCount(edge);
            return;
        }
        // A control word stops the channel and waits for a new count.
        c.held = c.value(edge);
        c.access = rw;
        c.rawMode = v >> 1 & 7;
        c.mode = c.rawMode > 5 ? c.rawMode - 4 : c.rawMode;
        c.bcd = (v & 1) != 0;
        c.loaded = false;
        c.counting = false;
        c.nullCount = true;
        c.writeHigh = false;
        c.readHigh = false;
        c.countLatched = false;
        c.statusLatched = false;
    }

    private static void writeCounter(Channel c, int v, long edge) {
        int count;
        switch (c.access) {
            case 1 -> count = v;
            case 2 -> count = v << 8;
            default -> {
                if (!c.writeHigh) {
                    c.writeHigh = true;
                    c.lowByte = v;
                    if (c.mode == 0) {
                        // Mode 0: the first byte of a two-byte count stops counting (OUT low).
                        c.held = c.value(edge);
                        c.counting = false;
                    }
                    return;
                }
                c.writeHigh = false;
                count = c.lowByte | v << 8;
            }
        }
        c.reload = count == 0 ? 0x10000 : count;
        c.loaded = true;
        c.nullCount = true;
        if (c.mode != 1 && c.mode != 5) {
            c.startRun(edge);
        }
    }

    @Override
    public long nextDeadline() {
        Channel c = channels[0];
        if (!c.counting || (!c.gate && c.gatePauses())) {
            return Long.MAX_VALUE;
        }
        long ticks;
        if (c.mode == 2 || c.mode == 3) {
            ticks = (c.periodsDelivered + 1) * c.period();
        } else if (!c.terminalDelivered) {
            ticks = c.terminalTick();
        } else {
            return Long.MAX_VALUE;
        }
        return origin + nanosFor(c.startEdge + Math.max(0, ticks - c.ticksBefore));
    }

    @Override
    public void advanceTo(long nowNanos) {
        Channel c = channels[0];
        if (!c.counting) {
            return;
        }
        long e = c.elapsed(edgeAt(nowNanos));
        if (c.mode == 2 || c.mode == 3) {
            long periods = e / c.period();
            if (periods > c.periodsDelivered) {
                c.periodsDelivered = periods; // several missed periods still make one edge
                irq.pulse(IRQ);
            }
        } else if (!c.terminalDelivered && e >= c.terminalTick()) {
            c.terminalDelivered = true;
            irq.pulse(IRQ);
        }
    }

    /** OUT pin of {@code channel} now (for tests and debugging). */
    public boolean output(int channel) {
        return channels[channel].out(edgeAt(clock.nanos()));
    }

    /** Current count of {@code channel}, without disturbing latches or flip-flops. */
    public int currentCount(int channel) {
        return channels[channel].value(edgeAt(clock.nanos()));
    }

    /** Normalised mode (0-5) of {@code channel}. */
    public int mode(int channel) {
        return channels[channel].mode;
    }
}
