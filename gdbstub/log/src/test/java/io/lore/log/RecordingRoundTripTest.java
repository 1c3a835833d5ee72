package io.lore.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class RecordingRoundTripTest {
    @TempDir
    Path dir;

    private static List<Event> readAll(RecordingReader r) {
        List<Event> out = new ArrayList<>();
        r.events().forEachRemaining(out::add);
        return out;
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void eventsHeaderImagesAndSummarySurviveAcrossChunks(Codec codec) throws Exception {
        List<Event> events = RecordingFiles.events(5000, 42);
        Path f = dir.resolve("a.lore");
        byte[] kernel = new byte[100_000];
        new java.util.Random(1).nextBytes(kernel);
        RecordingFiles.write(f, codec, events, 700, true, kernel);
        try (RecordingReader r = RecordingReader.open(f)) {
            assertEquals(RecordingReader.State.COMPLETE, r.state(), r.problem());
            assertEquals(RecordingFiles.header(codec), r.header());
            assertArrayEquals(kernel, r.kernel());
            assertArrayEquals(new byte[] {9, 8, 7}, r.initrd());
            assertEquals(events, readAll(r));
            assertEquals(8, r.chunks().size());
            assertEquals(5000, r.summary().orElseThrow().events());
            assertEquals(events.stream().filter(e -> e.kind() == EventKind.HALT).count(),
                    r.summary().orElseThrow().count(EventKind.HALT));
        }
    }

    @Test
    void zstdMakesTheEventStreamSmall() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 20000; i++) {
            events.add(new Event.PioOut(i, 0x80, 1, 0));
        }
        Path f = dir.resolve("z.lore");
        RecordingFiles.write(f, Codec.ZSTD, events, 10000, true, new byte[16]);
        assertTrue(Files.size(f) < 2000, "20000 repetitive exits should compress to under 2 KB, got " + Files.size(f));
    }

    @Test
    void aRecordingWithoutFooterIsReadableAndSaysItIsTruncated() throws Exception {
        List<Event> events = RecordingFiles.events(3000, 7);
        Path f = dir.resolve("t.lore");
        RecordingFiles.write(f, Codec.ZSTD, events, 1000, false, new byte[64]);
        try (RecordingReader r = RecordingReader.open(f)) {
            assertEquals(RecordingReader.State.TRUNCATED, r.state());
            assertTrue(r.summary().isEmpty());
            assertEquals(events, readAll(r));
        }
    }

    @Test
    void cutAtEveryLengthReadsAPrefixOrFailsCleanly() throws Exception {
        List<Event> events = RecordingFiles.events(400, 3);
        Path full = dir.resolve("full.lore");
        RecordingFiles.write(full, Codec.ZSTD, events, 50, true, new byte[300]);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.lore");
        int readable = 0;
        for (int len = 0; len < bytes.length; len++) {
            Files.write(cut, java.util.Arrays.copyOf(bytes, len));
            try (RecordingReader r = RecordingReader.open(cut)) {
                readable++;
                assertTrue(r.state() != RecordingReader.State.COMPLETE || len >= bytes.length - RecordingFormat.TRAILER_SIZE,
                        "a file cut at " + len + " cannot be complete");
                List<Event> got = readAll(r);
                assertEquals(events.subList(0, got.size()), got, "cut at " + len + " must give a prefix");
            } catch (RecordingFormatException e) {
                assertTrue(e.getMessage().contains("cut.lore"), e.getMessage());
            }
        }
        assertTrue(readable > bytes.length / 2, "most cuts keep a readable prefix");
    }

    @Test
    void aFlippedBitInAChunkIsReportedWithItsOffset() throws Exception {
        List<Event> events = RecordingFiles.events(2000, 5);
        Path f = dir.resolve("d.lore");
        RecordingFiles.write(f, Codec.ZSTD, events, 500, true, new byte[64]);
        long third;
        try (RecordingReader r = RecordingReader.open(f)) {
            third = r.chunks().get(2).offset();
        }
        byte[] bytes = Files.readAllBytes(f);
        bytes[(int) third + RecordingFormat.FRAME_SIZE + 3] ^= 0x10;
        Files.write(f, bytes);
        try (RecordingReader r = RecordingReader.open(f)) {
            assertEquals(RecordingReader.State.DAMAGED, r.state());
            assertEquals(third, r.problemOffset());
            assertEquals(1000, readAll(r).size(), "only the two chunks before the damage are used");
        }
    }

    @Test
    void notARecordingIsRejectedWithTheFileName() throws Exception {
        Path f = dir.resolve("junk.bin");
        Files.write(f, "hello, this is not a recording at all".getBytes());
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> RecordingReader.open(f));
        assertTrue(e.getMessage().startsWith("junk.bin: not a LoRe recording"), e.getMessage());
    }
}
