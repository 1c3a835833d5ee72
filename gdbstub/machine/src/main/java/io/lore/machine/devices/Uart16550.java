package io.lore.machine.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * National Semiconductor 16550A UART, COM1 (0x3f8, IRQ 4) by default: the guest console.
 *
 * <p>The line is infinitely fast: a byte written to THR is transmitted at once (so LSR.THRE
 * and LSR.TEMT always read 1), and the transmitter-empty interrupt is re-armed by every THR
 * write. Output is buffered and handed to the {@link OutputStream} at each newline, when the
 * buffer fills, and on {@link #flush()}, which the machine must call when it stops; per-byte
 * writes would cost a system call on the VM-exit hot path.
 *
 * <p>Input arrives through {@link #receive(int)}, which refuses a byte when the receiver is
 * full (16 bytes with FIFOs enabled, 1 in 16450 mode) or in loopback mode instead of
 * overrunning: the caller keeps it and retries, so host input is never lost. The overrun bit is
 * therefore only set by loopback traffic the guest itself sends faster than it reads.
 *
 * <p>Interrupts, in 16550 priority order: receiver line status (IER bit 2; overrun), received
 * data (IER bit 0; IIR 0x04 at or above the FIFO trigger level, else the character-timeout
 * code 0x0c, reported at once because there is no character timer), transmitter empty (IER
 * bit 1; set when THR empties or when bit 1 is enabled with THR empty, cleared by an IIR read
 * that reports it or by a THR write), modem status (IER bit 3; MSR delta bits). The IRQ line is
 * high while any enabled condition is pending and is only driven on changes. As in QEMU, the
 * line is not gated by MCR.OUT2 (a PC wires OUT2 to the IRQ driver's enable; guests that
 * forget it still get interrupts here).
 *
 * <p>Modem lines: with nothing attached the inputs read CTS, DSR and DCD asserted; in loopback
 * mode (MCR bit 4) they follow RTS, DTR, OUT1 and OUT2, and THR bytes go to the receiver instead
 * of the output. Parity, framing and break errors never occur. The divisor (reset value 12,
 * 9600 baud) is stored and readable but does not pace anything.
 */
public final class Uart16550 implements PortDevice {
    public static final int COM1_BASE = 0x3f8;
    public static final int COM1_IRQ = 4;
    public static final int PORT_COUNT = 8;
    public static final int FIFO_SIZE = 16;

    // IER
    private static final int IER_RDA = 0x01;
    private static final int IER_THRE = 0x02;
    private static final int IER_RLS = 0x04;
    private static final int IER_MS = 0x08;
    // IIR interrupt identification codes
    private static final int IIR_NONE = 0x01;
    private static final int IIR_RLS = 0x06;
    private static final int IIR_RDA = 0x04;
    private static final int IIR_TIMEOUT = 0x0c;
    private static final int IIR_THRE = 0x02;
    private static final int IIR_MS = 0x00;
    private static final int IIR_FIFO_ENABLED = 0xc0;
    // LSR
    private static final int LSR_DR = 0x01;
    private static final int LSR_OE = 0x02;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;
    // LCR / MCR
    private static final int LCR_DLAB = 0x80;
    private static final int MCR_LOOP = 0x10;
    /** Modem inputs with a null-modem terminal attached: DCD, DSR, CTS. */
    private static final int MSR_IDLE_INPUTS = 0xb0;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};

    private final int base;
    private final int irqLine;
    private final IrqSink irq;
    private final OutputStream out;
    private final byte[] outBuf = new byte[4096];
    private int outLen;

    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    private int lastRx;

    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int divisor = 12;
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean overrun;
    private boolean thrInterrupt;
    private int msrDeltas;
    private boolean irqLevel;

    /** COM1: port 0x3f8, IRQ 4. */
    public Uart16550(IrqSink irq, OutputStream out) {
        this(COM1_BASE, COM1_IRQ, irq, out);
    }

    public Uart16550(int base, int irqLine, IrqSink irq, OutputStream out) {
        this.base = base;
        this.irqLine = irqLine;
        this.irq = irq;
        this.out = out;
    }

    /** True if {@link #receive} would accept a byte now. */
    public boolean canReceive() {
        return (mcr & MCR_LOOP) == 0 && rxCount < rxCapacity();
    }

    /**
     * Offers one byte of host input to the receiver.
     *
     * @return false, leaving the UART unchanged, if the receiver is full or in loopback mode:
     *         the caller must keep the byte and offer it again later
     */
    public boolean receive(int b) {
        if (!canReceive()) {
            return false;
        }
        pushRx(b);
        updateIrq();
        return true;
    }

    /** Hands all buffered output to the stream and flushes it. */
    public void flush() {
        try {
            if (outLen > 0) {
                out.write(outBuf, 0, outLen);
                outLen = 0;
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serial output", e);
        }
    }

    @Override
    public int read(int port, int size) {
        int reg = port - base;
        switch (reg) {
            case 0:
                return dlab() ? divisor & 0xff : readRbr();
            case 1:
                return dlab() ? divisor >> 8 : ier;
            case 2:
                return readIir();
            case 3:
                return lcr;
            case 4:
                return mcr;
            case 5:
                return readLsr();
            case 6:
                return readMsr();
            case 7:
                return scr;
            default:
                return PortBus.allOnes(size);
        }
    }

    @Override
    public void write(int port, int size, int value) {
        int v = value & 0xff;
        switch (port - base) {
            case 0 -> {
                if (dlab()) {
                    divisor = divisor & 0xff00 | v;
                } else {
                    writeThr(v);
                }
            }
            case 1 -> {
                if (dlab()) {
                    divisor = divisor & 0xff | v << 8;
                } else {
                    writeIer(v);
                }
            }
            case 2 -> writeFcr(v);
            case 3 -> lcr = v;
            case 4 -> writeMcr(v);
            case 7 -> scr = v;
            default -> { } // LSR and MSR are read-only (writes are factory test on the chip)
        }
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private int rxCapacity() {
        return fifoEnabled ? FIFO_SIZE : 1;
    }

    private void pushRx(int b) {
        rx[(rxHead + rxCount) % FIFO_SIZE] = (byte) b;
        rxCount++;
    }

    private int readRbr() {
        if (rxCount > 0) {
            lastRx = rx[rxHead] & 0xff;
            rxHead = (rxHead + 1) % FIFO_SIZE;
            rxCount--;
            updateIrq();
        }
        return lastRx; // an empty receiver buffer repeats the last character
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == IIR_THRE) {
            // Reading IIR while it reports THRE is one of the two ways to clear it.
            thrInterrupt = false;
            updateIrq();
        }
        return id | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
    }

    private int readLsr() {
        int v = (rxCount > 0 ? LSR_DR : 0) | (overrun ? LSR_OE : 0) | LSR_THRE | LSR_TEMT;
        if (overrun) {
            overrun = false; // error bits clear when LSR is read
            updateIrq();
        }
        return v;
    }

    private int readMsr() {
        int v = modemInputs() | msrDeltas;
        if (msrDeltas != 0) {
            msrDeltas = 0;
            updateIrq();
        }
        return v;
    }

    private void writeThr(int v) {
        // The write clears THRE; transmission is instantaneous, so THR empties again at once.
        // Dropping the line in between gives the edge-triggered PIC a new edge per byte, as the
        // real chip does once the byte has left the shift register.
        thrInterrupt = false;
        updateIrq();
        if ((mcr & MCR_LOOP) != 0) {
            if (rxCount < rxCapacity()) {
                pushRx(v);
            } else {
                overrun = true; // FIFO contents are kept; the new character is lost
            }
        } else {
            outBuf[outLen++] = (byte) v;
            if (v == '\n' || outLen == outBuf.length) {
                flush();
            }
        }
        thrInterrupt = true;
        updateIrq();
    }

    private void writeIer(int v) {
        int old = ier;
        ier = v & 0x0f;
        // Enabling the THRE interrupt while THR is empty (always, here) raises it at once; drivers
        // start transmission this way. Disabling it discards the pending condition.
        if ((ier & IER_THRE) != 0 && (old & IER_THRE) == 0) {
            thrInterrupt = true;
        } else if ((ier & IER_THRE) == 0) {
            thrInterrupt = false;
        }
        updateIrq();
    }

    private void writeFcr(int v) {
        boolean enable = (v & 0x01) != 0;
        if (enable != fifoEnabled) {
            clearRx(); // switching FIFO mode empties the FIFOs
            fifoEnabled = enable;
        }
        if (enable) {
            // The other FCR bits are only programmed together with FCR bit 0.
            if ((v & 0x02) != 0) {
                clearRx();
            }
            triggerLevel = TRIGGER_LEVELS[v >> 6 & 3];
        } else {
            triggerLevel = 1;
        }
        updateIrq();
    }

    private void clearRx() {
        rxHead = 0;
        rxCount = 0;
    }

    private void writeMcr(int v) {
        int before = modemInputs();
        mcr = v & 0x1f;
        int after = modemInputs();
        int changed = before ^ after;
        // Delta bits: DCTS(0), DDSR(1), TERI(2, RI going inactive only), DDCD(3).
        msrDeltas |= (changed >> 4 & 0x03) | (changed >> 4 & 0x08)
                | ((before & ~after & 0x40) != 0 ? 0x04 : 0);
        updateIrq();
    }

    private int modemInputs() {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_IDLE_INPUTS;
        }
        // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
        return (mcr & 0x02) << 3 | (mcr & 0x01) << 5 | (mcr & 0x0c) << 4;
    }

    /** IIR identification code of the highest-priority enabled condition, or IIR_NONE. */
    private int pendingInterrupt() {
        if ((ier & IER_RLS) != 0 && overrun) {
            return IIR_RLS;
        }
        if ((ier & IER_RDA) != 0 && rxCount > 0) {
            return rxCount >= triggerLevel ? IIR_RDA : IIR_TIMEOUT;
        }
        if ((ier & IER_THRE) != 0 && thrInterrupt) {
            return IIR_THRE;
        }
        if ((ier & IER_MS) != 0 && msrDeltas != 0) {
            return IIR_MS;
        }
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean level = pendingInterrupt() != IIR_NONE;
        if (level != irqLevel) {
            irqLevel = level;
            irq.setIrq(irqLine, level);
        }
    }

    /** Level the UART drives on its IRQ line (for tests and debugging). */
    public boolean irqLevel() {
        return irqLevel;
    }

    /** Baud-rate divisor latch (DLM:DLL). */
    public int divisor() {
        return divisor;
    }

    /** Bytes waiting in the receiver. */
    public int rxCount() {
        return rxCount;
    }

    public boolean fifoEnabled() {
        return fifoEnabled;
    }
}
