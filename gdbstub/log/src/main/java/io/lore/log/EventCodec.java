package io.lore.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The wire form of events inside a chunk: a tag byte (kind in the low 4 bits, log2 of the
 * access size in bits 4-5, "positioned by state" in bit 6), the ordinal as a varint delta from
 * the previous event's, then the kind's fields as varints. Delta and varint keep the common
 * case (next exit, small port, small value) to three or four bytes before compression.
 */
public final class EventCodec {
    private static final int ASYNC = 0x40;

    private EventCodec() {}

    /** Encodes events in order; remembers the previous ordinal for deltas. */
    public static final class Encoder {
        private long lastOrdinal;

        public Encoder(long startOrdinal) {
            this.lastOrdinal = startOrdinal;
        }

        public void encode(Event e, ByteSink out) {
            long delta = e.ordinal() - lastOrdinal;
            if (delta < 0) {
                throw new IllegalArgumentException("event ordinals must not decrease: " + lastOrdinal + " then " + e.ordinal());
            }
            lastOrdinal = e.ordinal();
            if (e instanceof Event.PioIn p) {
                head(out, e, sizeCode(p.size()), delta).varint(p.port()).varint(p.value() & 0xffffffffL);
            } else if (e instanceof Event.PioOut p) {
                head(out, e, sizeCode(p.size()), delta).varint(p.port()).varint(p.value() & 0xffffffffL);
            } else if (e instanceof Event.MmioRead m) {
                head(out, e, sizeCode(m.size()), delta).varint(m.address()).varint(m.value());
            } else if (e instanceof Event.MmioWrite m) {
                head(out, e, sizeCode(m.size()), delta).varint(m.address()).varint(m.value());
            } else if (e instanceof Event.Halt) {
                head(out, e, 0, delta);
            } else if (e instanceof Event.Interrupt i) {
                head(out, e, i.at() == null ? 0 : ASYNC, delta).u8(i.vector());
                if (i.at() != null) {
                    for (long r : i.at().regs()) {
                        out.varint(r);
                    }
                    out.u64(i.at().systemHash()).u64(i.at().memoryHash()).varint(i.at().branches() + 1);
                }
            } else if (e instanceof Event.SerialInput s) {
                head(out, e, 0, delta).u8(s.data());
            } else if (e instanceof Event.Digest d) {
                head(out, e, 0, delta).u64(d.cpuHash()).u64(d.memoryHash());
            } else if (e instanceof Event.End x) {
                head(out, e, 0, delta).u8(x.reason().ordinal()).varint(x.status() & 0xffffffffL);
            } else if (e instanceof Event.Tsc t) {
                head(out, e, 0, delta).varint(t.value()).varint(t.rip());
            }
        }

        private static ByteSink head(ByteSink out, Event e, int flags, long delta) {
            return out.u8(e.kind().code | flags).varint(delta);
        }
    }

    /** Decodes events from a chunk's payload, validating as it goes. */
    public static final class Decoder {
        private final ByteBuffer in;
        private long lastOrdinal;

        public Decoder(ByteBuffer in, long startOrdinal) {
            this.in = in;
            this.lastOrdinal = startOrdinal;
        }

        public boolean hasNext() {
            return in.hasRemaining();
        }

        public Event next() {
            try {
                int tag = in.get() & 0xff;
                EventKind kind = EventKind.ofCode(tag & 0x0f);
                if (kind == null) {
                    throw new RecordingFormatException("unknown event kind " + (tag & 0x0f));
                }
                long ordinal = lastOrdinal + varint();
                if (ordinal < lastOrdinal) {
                    throw new RecordingFormatException("event ordinal overflows");
                }
                lastOrdinal = ordinal;
                int size = 1 << ((tag >> 4) & 3);
                return switch (kind) {
                    case PIO_IN -> new Event.PioIn(ordinal, port(), size, (int) varint());
                    case PIO_OUT -> new Event.PioOut(ordinal, port(), size, (int) varint());
                    case MMIO_READ -> new Event.MmioRead(ordinal, varint(), size, varint());
                    case MMIO_WRITE -> new Event.MmioWrite(ordinal, varint(), size, varint());
                    case HALT -> new Event.Halt(ordinal);
                    case INTERRUPT -> {
                        int vector = in.get() & 0xff;
                        StatePoint at = null;
                        if ((tag & ASYNC) != 0) {
                            long[] regs = new long[StatePoint.REGS];
                            for (int i = 0; i < regs.length; i++) {
                                regs[i] = varint();
                            }
                            long sys = in.getLong();
                            long mem = in.getLong();
                            at = new StatePoint(regs, sys, mem, varint() - 1);
                        }
                        yield new Event.Interrupt(ordinal, vector, at);
                    }
                    case SERIAL_INPUT -> new Event.SerialInput(ordinal, in.get() & 0xff);
                    case DIGEST -> new Event.Digest(ordinal, in.getLong(), in.getLong());
                    case END -> {
                        int r = in.get() & 0xff;
                        Event.EndReason[] reasons = Event.EndReason.values();
                        if (r >= reasons.length) {
                            throw new RecordingFormatException("unknown end reason " + r);
                        }
                        yield new Event.End(ordinal, reasons[r], (int) varint());
                    }
                    case TSC -> new Event.Tsc(ordinal, varint(), varint());
                };
            } catch (BufferUnderflowException e) {
                throw new RecordingFormatException("event cut off at the end of its chunk");
            }
        }

        private int port() {
            long p = varint();
            if (p > 0xffff) {
                throw new RecordingFormatException("I/O port " + p + " out of range");
            }
            return (int) p;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = in.get() & 0xff;
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new RecordingFormatException("varint longer than 10 bytes");
        }
    }

    static int sizeCode(int size) {
        switch (size) {
            case 1: return 0;
            case 2: return 0x10;
            case 4: return 0x20;
            case 8: return 0x30;
            default: throw new IllegalArgumentException("access size must be 1, 2, 4 or 8, not " + size);
        }
    }
}
