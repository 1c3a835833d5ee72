package io.lore.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Rebuilds COM1's output from the guest's OUT instructions alone, so replay needs no UART
 * model: a byte written to THR is output unless the divisor latch (LCR bit 7) is open or the
 * port is in loopback (MCR bit 4), exactly the cases where a 16550 does not transmit.
 */
final class SerialTap {
    private static final int COM1 = 0x3f8;
    private final OutputStream out;
    private boolean dlab;
    private boolean loopback;
    private long bytes;

    /** What a checkpoint keeps of the tap. */
    record State(boolean dlab, boolean loopback, long bytes) {}

    SerialTap(OutputStream out) {
        this.out = out;
    }

    void pioOut(int port, int value) {
        switch (port - COM1) {
            case 0:
                if (!dlab && !loopback) {
                    bytes++;
                    if (out != null) {
                        try {
                            out.write(value);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
                break;
            case 3:
                dlab = (value & 0x80) != 0;
                break;
            case 4:
                loopback = (value & 0x10) != 0;
                break;
            default:
                break;
        }
    }

    State state() {
        return new State(dlab, loopback, bytes);
    }

    /** Back to {@code s} (output already written stays written: going back does not unprint). */
    void restore(State s) {
        dlab = s.dlab();
        loopback = s.loopback();
        bytes = s.bytes();
    }

    long bytes() {
        return bytes;
    }

    void flush() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
