package io.lore.replay;

import io.lore.log.ByteSink;
import io.lore.log.Event;
import io.lore.log.EventCodec;
import io.lore.log.EventKind;
import io.lore.log.RecordingWriter;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Drains the event ring into compressed chunks. A chunk is written when it reaches its target
 * size or has waited {@link #FLUSH_NANOS}, so a recorder that is killed loses at most that
 * much; the vCPU thread never waits for compression or the disk unless the ring is full.
 */
final class LogWriterThread implements Runnable {
    static final int CHUNK_TARGET = 256 << 10;
    static final long FLUSH_NANOS = 200_000_000L;

    private final EventRing ring;
    private final RecordingWriter writer;
    private final Thread thread;
    private final ByteSink sink = new ByteSink(CHUNK_TARGET + 1024);
    private final Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
    private EventCodec.Encoder encoder;
    private long base;
    private long lastOrdinal;
    private int inChunk;
    private long lastFlush = System.nanoTime();
    private volatile boolean closing;
    private volatile IOException failure;

    LogWriterThread(EventRing ring, RecordingWriter writer) {
        this.ring = ring;
        this.writer = writer;
        this.encoder = new EventCodec.Encoder(0);
        this.thread = new Thread(this, "lore-log-writer");
        thread.setDaemon(true);
        ring.setConsumer(thread);
    }

    void start() {
        thread.start();
    }

    /** Non-null once writing failed (disk full, ...): the recorder must stop. */
    IOException failure() {
        return failure;
    }

    @Override
    public void run() {
        long[] record = new long[EventRing.RECORD_LONGS];
        try {
            while (true) {
                boolean drained = false;
                while (ring.available() > 0) {
                    ring.take(record);
                    Event e = RingRecords.toEvent(record, ring);
                    encoder.encode(e, sink);
                    counts.merge(e.kind(), 1L, Long::sum);
                    lastOrdinal = e.ordinal();
                    inChunk++;
                    drained = true;
                    if (sink.size() >= CHUNK_TARGET) {
                        flush();
                    }
                }
                if (inChunk > 0 && System.nanoTime() - lastFlush >= FLUSH_NANOS) {
                    flush();
                }
                if (closing && ring.available() == 0) {
                    flush();
                    return;
                }
                if (!drained) {
                    LockSupport.parkNanos(this, 2_000_000);
                }
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    private void flush() throws IOException {
        lastFlush = System.nanoTime();
        if (inChunk == 0) {
            return;
        }
        writer.writeEvents(sink, inChunk, base, lastOrdinal);
        base = lastOrdinal;
        encoder = new EventCodec.Encoder(base);
        sink.reset();
        inChunk = 0;
    }

    /** Drains what is left, writes the last chunk and returns the counts by kind. */
    Map<EventKind, Long> close() throws IOException {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return counts;
    }
}
