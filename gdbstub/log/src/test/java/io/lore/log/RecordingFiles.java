package io.lore.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds recordings with known contents for the log tests. */
final class RecordingFiles {
    private RecordingFiles() {}

    static RecordingHeader header(Codec codec) {
        return new RecordingHeader("test", 1_700_000_000_000L, 64, "n=5", "k.elf", "", RecordingHeader.POSITIONING_STATE_SIGNATURE,
                RecordingHeader.CAPTURE_USER_SPACE, codec, "test-host",
                List.of(new CpuidEntry(0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69), new CpuidEntry(1, 0, 0, 1, 2, 3, 4)));
    }

    /** A plausible event stream: PIO traffic, halts, interrupts (some positioned by state), digests, an end. */
    static List<Event> events(int n, long seed) {
        Random r = new Random(seed);
        List<Event> out = new ArrayList<>();
        long ord = 0;
        for (int i = 0; i < n - 1; i++) {
            int pick = r.nextInt(10);
            if (pick < 4) {
                out.add(new Event.PioOut(++ord, 0x3f8, 1, 'a' + r.nextInt(26)));
            } else if (pick < 6) {
                out.add(new Event.PioIn(++ord, 0x40 + r.nextInt(4), 1, r.nextInt(256)));
            } else if (pick == 6) {
                out.add(new Event.Halt(++ord));
            } else if (pick == 7) {
                StatePoint at = null;
                if (r.nextBoolean()) {
                    long[] regs = new long[StatePoint.REGS];
                    for (int k = 0; k < regs.length; k++) {
                        regs[k] = r.nextLong();
                    }
                    at = new StatePoint(regs, r.nextLong(), r.nextLong());
                }
                out.add(new Event.Interrupt(ord, 0x20 + r.nextInt(16), at));
            } else if (pick == 8) {
                out.add(new Event.Digest(ord, r.nextLong(), r.nextLong()));
            } else {
                out.add(new Event.MmioRead(++ord, 0xfee00000L + 4 * r.nextInt(64), 4, 0xffffffffL));
            }
        }
        out.add(new Event.End(ord, Event.EndReason.DEBUG_EXIT, 1));
        return out;
    }

    /** Writes {@code events} in chunks of {@code perChunk}, optionally without the footer. */
    static void write(Path file, Codec codec, List<Event> events, int perChunk, boolean finish, byte[] kernel) throws IOException {
        write(file, header(codec), events, perChunk, finish, kernel);
    }

    static void write(Path file, RecordingHeader header, List<Event> events, int perChunk, boolean finish, byte[] kernel)
            throws IOException {
        try (RecordingWriter w = RecordingWriter.create(file, header, kernel, new byte[] {9, 8, 7})) {
            Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
            int i = 0;
            long base = 0;
            while (i < events.size()) {
                ByteSink sink = new ByteSink(1024);
                EventCodec.Encoder enc = new EventCodec.Encoder(base);
                int n = Math.min(perChunk, events.size() - i);
                long last = base;
                for (int k = 0; k < n; k++) {
                    Event e = events.get(i + k);
                    enc.encode(e, sink);
                    counts.merge(e.kind(), 1L, Long::sum);
                    last = e.ordinal();
                }
                w.writeEvents(sink, n, base, last);
                base = last;
                i += n;
            }
            if (finish) {
                w.finish(new RecordingSummary(123, base, events.size(), counts, 1, 2, Event.EndReason.DEBUG_EXIT, 1, 0));
            }
        }
    }
}
