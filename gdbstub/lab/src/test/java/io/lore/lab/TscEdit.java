package io.lore.lab;

import io.lore.log.ByteSink;
import io.lore.log.Event;
import io.lore.log.EventCodec;
import io.lore.log.EventKind;
import io.lore.log.RecordingReader;
import io.lore.log.RecordingSummary;
import io.lore.log.RecordingWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the TSC values of a kernel-assisted recording, so the lab can check that replay
 * notices (kmod/lab/java-tests.sh runs it inside the lab):
 * <pre>
 *   TscEdit IN OUT drop-last N    the recording loses its last N RDTSC values
 *   TscEdit IN OUT move K         the K-th RDTSC (from 1) is recorded one byte off its RIP
 * </pre>
 */
public final class TscEdit {
    private TscEdit() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4 || !(args[2].equals("drop-last") || args[2].equals("move"))) {
            System.err.println("usage: TscEdit IN OUT drop-last N | move K");
            System.exit(2);
        }
        int n = Integer.parseInt(args[3]);
        try (RecordingReader in = RecordingReader.open(Path.of(args[0]))) {
            List<Event> events = new ArrayList<>();
            in.events().forEachRemaining(events::add);
            long total = events.stream().filter(e -> e instanceof Event.Tsc).count();
            List<Event> edited = new ArrayList<>();
            long seen = 0;
            for (Event e : events) {
                if (e instanceof Event.Tsc t) {
                    seen++;
                    if (args[2].equals("drop-last") && seen > total - n) {
                        continue;
                    }
                    if (args[2].equals("move") && seen == n) {
                        e = new Event.Tsc(t.ordinal(), t.value(), t.rip() + 1);
                    }
                }
                edited.add(e);
            }
            write(Path.of(args[1]), in, edited);
        }
    }

    private static void write(Path out, RecordingReader in, List<Event> events) throws IOException {
        RecordingSummary old = in.summary().orElseThrow(() -> new IOException("the recording has no summary"));
        Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
        try (RecordingWriter w = RecordingWriter.create(out, in.header(), in.kernel(), in.initrd())) {
            ByteSink sink = new ByteSink(1 << 16);
            EventCodec.Encoder enc = new EventCodec.Encoder(0);
            long last = 0;
            for (Event e : events) {
                enc.encode(e, sink);
                counts.merge(e.kind(), 1L, Long::sum);
                last = e.ordinal();
            }
            w.writeEvents(sink, events.size(), 0, last);
            w.finish(new RecordingSummary(old.durationNanos(), old.exits(), events.size(), counts, old.finalCpuHash(),
                    old.finalMemoryHash(), old.endReason(), old.endStatus(), old.serialBytes()));
        }
    }
}
