package io.lore.replay;

import io.lore.log.ByteSink;
import io.lore.log.Event;
import io.lore.log.EventCodec;
import io.lore.log.RecordingReader;
import io.lore.log.RecordingWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/** Test helper: copies a recording with one event changed, or with its tail cut off. */
public final class LogSurgery {
    private LogSurgery() {}

    /** Replaces the first event for which {@code change} returns non-null; returns that event's ordinal. */
    public static long rewrite(Path in, Path out, Function<Event, Event> change) throws Exception {
        long[] changedAt = {-1};
        copy(in, out, Integer.MAX_VALUE, e -> {
            if (changedAt[0] < 0) {
                Event c = change.apply(e);
                if (c != null) {
                    changedAt[0] = e.ordinal();
                    return c;
                }
            }
            return e;
        }, true);
        if (changedAt[0] < 0) {
            throw new IllegalStateException("no event matched");
        }
        return changedAt[0];
    }

    /** Keeps the first {@code keep} events and no footer, as a killed recorder would leave it. */
    public static void truncateAfterEvents(Path in, Path out, int keep) throws Exception {
        copy(in, out, keep, e -> e, false);
    }

    private static void copy(Path in, Path out, int keep, Function<Event, Event> map, boolean finish) throws Exception {
        try (RecordingReader r = RecordingReader.open(in)) {
            List<Event> events = new ArrayList<>();
            for (Iterator<Event> it = r.events(); it.hasNext() && events.size() < keep; ) {
                events.add(map.apply(it.next()));
            }
            try (RecordingWriter w = RecordingWriter.create(out, r.header(), r.kernel(), r.initrd())) {
                long base = 0;
                for (int i = 0; i < events.size(); i += 100) {
                    ByteSink sink = new ByteSink(4096);
                    EventCodec.Encoder enc = new EventCodec.Encoder(base);
                    int n = Math.min(100, events.size() - i);
                    long last = base;
                    for (int k = 0; k < n; k++) {
                        enc.encode(events.get(i + k), sink);
                        last = events.get(i + k).ordinal();
                    }
                    w.writeEvents(sink, n, base, last);
                    base = last;
                }
                if (finish) {
                    w.finish(r.summary().orElseThrow());
                }
            }
        }
    }
}
