package io.lore.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/** The footer's summary of a finished recording: how it ended and what it contains. */
public record RecordingSummary(
        long durationNanos,
        long exits,
        long events,
        Map<EventKind, Long> countsByKind,
        long finalCpuHash,
        long finalMemoryHash,
        Event.EndReason endReason,
        int endStatus,
        long serialBytes) {

    public RecordingSummary {
        countsByKind = Map.copyOf(countsByKind);
    }

    public long count(EventKind k) {
        return countsByKind.getOrDefault(k, 0L);
    }

    void encode(ByteSink s) {
        s.u64(durationNanos).u64(exits).u64(events);
        s.u8(countsByKind.size());
        for (Map.Entry<EventKind, Long> e : countsByKind.entrySet()) {
            s.u8(e.getKey().code).u64(e.getValue());
        }
        s.u64(finalCpuHash).u64(finalMemoryHash).u8(endReason.ordinal()).u32(endStatus).u64(serialBytes);
    }

    static RecordingSummary decode(ByteBuffer b) {
        try {
            long duration = b.getLong(), exits = b.getLong(), events = b.getLong();
            int n = b.get() & 0xff;
            Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
            for (int i = 0; i < n; i++) {
                EventKind k = EventKind.ofCode(b.get() & 0xff);
                long c = b.getLong();
                if (k != null) {
                    counts.put(k, c);
                }
            }
            long cpu = b.getLong(), mem = b.getLong();
            int reason = b.get() & 0xff;
            if (reason >= Event.EndReason.values().length) {
                throw new RecordingFormatException("unknown end reason in footer");
            }
            return new RecordingSummary(duration, exits, events, counts, cpu, mem, Event.EndReason.values()[reason],
                    b.getInt(), b.getLong());
        } catch (BufferUnderflowException e) {
            throw new RecordingFormatException("footer summary is cut short");
        }
    }
}
