package io.lore.replay;

import io.lore.log.Event;
import io.lore.log.EventKind;
import io.lore.log.StatePoint;

/**
 * How events are laid out in {@link EventRing} records, both ways: the vCPU side writes
 * primitives (no objects), the writer side rebuilds {@link Event}s. Word 0 holds the kind
 * (bits 0-7), access size (8-15), flags (16-23) and a 32-bit field (port, vector, reason) in
 * the high half; word 1 the ordinal; words 2-3 values. A state point follows its interrupt
 * record as five continuation records (18 registers, system hash, memory hash).
 */
final class RingRecords {
    static final int FLAG_STATE_POINT = 1;
    private static final int CONTINUATION_RECORDS = 6;

    private RingRecords() {}

    static long word0(EventKind kind, int size, int flags, int field) {
        return kind.code | (long) size << 8 | (long) flags << 16 | (long) field << 32;
    }

    /** Room for a state point's continuation records: the producer passes one it reuses. */
    static long[] continuationScratch() {
        return new long[CONTINUATION_RECORDS * 4];
    }

    /** Producer side: an interrupt positioned by state, as 1 + 6 records ({@code c}: {@link #continuationScratch()}). */
    static void putInterrupt(EventRing ring, long ordinal, int vector, long[] regs, long systemHash, long memoryHash,
            long branches, long[] c) {
        ring.put(word0(EventKind.INTERRUPT, 0, FLAG_STATE_POINT, vector), ordinal, 0, 0);
        java.util.Arrays.fill(c, 0);
        System.arraycopy(regs, 0, c, 0, StatePoint.REGS);
        c[StatePoint.REGS] = systemHash;
        c[StatePoint.REGS + 1] = memoryHash;
        c[StatePoint.REGS + 2] = branches;
        for (int i = 0; i < CONTINUATION_RECORDS; i++) {
            ring.put(c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]);
        }
    }

    /** Consumer side: rebuild the event whose first record is {@code r}, taking continuations from the ring. */
    static Event toEvent(long[] r, EventRing ring) {
        EventKind kind = EventKind.ofCode((int) (r[0] & 0xff));
        int size = (int) (r[0] >>> 8) & 0xff;
        int flags = (int) (r[0] >>> 16) & 0xff;
        int field = (int) (r[0] >>> 32);
        long ordinal = r[1];
        switch (kind) {
            case PIO_IN: return new Event.PioIn(ordinal, field, size, (int) r[2]);
            case PIO_OUT: return new Event.PioOut(ordinal, field, size, (int) r[2]);
            case MMIO_READ: return new Event.MmioRead(ordinal, r[2], size, r[3]);
            case MMIO_WRITE: return new Event.MmioWrite(ordinal, r[2], size, r[3]);
            case HALT: return new Event.Halt(ordinal);
            case SERIAL_INPUT: return new Event.SerialInput(ordinal, field & 0xff);
            case DIGEST: return new Event.Digest(ordinal, r[2], r[3]);
            case END: return new Event.End(ordinal, Event.EndReason.values()[field], (int) r[2]);
            case TSC: return new Event.Tsc(ordinal, r[2], r[3]);
            case INTERRUPT: {
                StatePoint at = null;
                if ((flags & FLAG_STATE_POINT) != 0) {
                    long[] c = new long[CONTINUATION_RECORDS * 4];
                    long[] part = new long[4];
                    for (int i = 0; i < CONTINUATION_RECORDS; i++) {
                        while (ring.available() == 0) {
                            Thread.onSpinWait(); // the producer writes all six records back to back
                        }
                        ring.take(part);
                        System.arraycopy(part, 0, c, 4 * i, 4);
                    }
                    long[] regs = java.util.Arrays.copyOf(c, StatePoint.REGS);
                    at = new StatePoint(regs, c[StatePoint.REGS], c[StatePoint.REGS + 1], c[StatePoint.REGS + 2]);
                }
                return new Event.Interrupt(ordinal, field, at);
            }
            default:
                throw new IllegalStateException("unknown record kind " + kind);
        }
    }
}
