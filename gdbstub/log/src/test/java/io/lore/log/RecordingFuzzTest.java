package io.lore.log;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of randomly damaged recordings: the reader must either read them or reject them
 * with a RecordingFormatException — never another exception, never a hang.
 */
class RecordingFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedFilesNeverCrashOrHangTheReader() throws Exception {
        Path original = dir.resolve("o.lore");
        RecordingFiles.write(original, Codec.ZSTD, RecordingFiles.events(600, 11), 100, true, new byte[200]);
        byte[] bytes = Files.readAllBytes(original);
        Random random = new Random(2026);
        Path f = dir.resolve("m.lore");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 3000; round++) {
                byte[] m = bytes.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(m.length);
                    switch (random.nextInt(3)) {
                        case 0 -> m[at] ^= (byte) (1 << random.nextInt(8));
                        case 1 -> m[at] = (byte) random.nextInt(256);
                        default -> m = java.util.Arrays.copyOf(m, at);
                    }
                    if (m.length == 0) {
                        break;
                    }
                }
                Files.write(f, m);
                try (RecordingReader r = RecordingReader.open(f)) {
                    r.events().forEachRemaining(e -> { });
                    r.summary();
                } catch (RecordingFormatException expected) {
                    // rejected with a message: fine
                }
            }
        });
    }

    /** Behind the checksum: the event decoder itself, fed random and mutated payloads. */
    @Test
    void theEventDecoderRejectsGarbageWithAFormatError() {
        Random random = new Random(7);
        ByteSink valid = new ByteSink(4096);
        EventCodec.Encoder enc = new EventCodec.Encoder(0);
        for (Event e : RecordingFiles.events(300, 1)) {
            enc.encode(e, valid);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 20000; round++) {
                byte[] b;
                if (round % 2 == 0) {
                    b = new byte[random.nextInt(64)];
                    random.nextBytes(b);
                } else {
                    b = valid.toByteArray();
                    for (int i = 0; i < 4; i++) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                }
                EventCodec.Decoder d = new EventCodec.Decoder(
                        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
                try {
                    while (d.hasNext()) {
                        d.next();
                    }
                } catch (RecordingFormatException expected) {
                    // a clean rejection
                }
            }
        });
    }
}
