package io.lore.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TSC events (kernel-assisted capture): their wire form, and their place in a recording. */
class TscEventTest {
    @TempDir
    Path dir;

    @Test
    void fullWidthValuesAndRipsSurviveTheCodec() {
        List<Event> in = List.of(new Event.Tsc(0, 0, 0), new Event.Tsc(0, -1L, 0xffffffff81000000L),
                new Event.PioOut(3, 0x80, 1, 7), new Event.Tsc(3, 0x123456789abcdefL, 0x1000),
                new Event.Tsc(1L << 40, 42, 0x100000));
        ByteSink sink = new ByteSink(64);
        EventCodec.Encoder enc = new EventCodec.Encoder(0);
        in.forEach(e -> enc.encode(e, sink));
        EventCodec.Decoder dec = new EventCodec.Decoder(ByteBuffer.wrap(sink.toByteArray()), 0);
        List<Event> out = new ArrayList<>();
        while (dec.hasNext()) {
            out.add(dec.next());
        }
        assertEquals(in, out);
        assertEquals(EventKind.TSC, EventKind.ofLabel("tsc"));
        assertEquals(10, EventKind.TSC.code);
    }

    @Test
    void aTscEventCutShortIsRejected() {
        ByteSink sink = new ByteSink(16);
        new EventCodec.Encoder(0).encode(new Event.Tsc(5, 1L << 50, 0x1234), sink);
        byte[] whole = sink.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
        EventCodec.Decoder dec = new EventCodec.Decoder(ByteBuffer.wrap(cut), 0);
        assertThrows(RecordingFormatException.class, dec::next);
    }

    @Test
    void aKernelAssistedRecordingKeepsItsCaptureAndTscEvents() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            events.add(new Event.PioOut(i, 0x3f8, 1, 'a'));
            events.add(new Event.Tsc(i, 1_000_000L * i + 17, 0x100020));
        }
        events.add(new Event.End(300, Event.EndReason.DEBUG_EXIT, 1));
        Path f = dir.resolve("k.lore");
        RecordingHeader h = RecordingFiles.header(Codec.ZSTD);
        RecordingHeader kernel = new RecordingHeader(h.producer(), h.createdEpochMillis(), h.memoryMiB(), h.cmdline(),
                h.kernelName(), h.initrdName(), h.positioning(), RecordingHeader.CAPTURE_KERNEL, h.codec(), h.host(),
                h.cpuid());
        RecordingFiles.write(f, kernel, events, 100, true, new byte[16]);
        try (RecordingReader r = RecordingReader.open(f)) {
            assertEquals(RecordingHeader.CAPTURE_KERNEL, r.header().capture());
            List<Event> read = new ArrayList<>();
            r.events().forEachRemaining(read::add);
            assertEquals(events, read);
            assertEquals(300, r.summary().orElseThrow().count(EventKind.TSC));
        }
    }
}
