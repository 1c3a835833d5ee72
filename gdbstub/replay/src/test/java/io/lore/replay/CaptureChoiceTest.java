package io.lore.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.kmod.LoreDevice;
import io.lore.log.Codec;
import io.lore.log.Event;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.machine.MachineConfig;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which capture the recorder uses is decided by the host: kernel-assisted when /dev/lore is
 * there (tested in the lore.ko lab, gdbstub/lab), user-space otherwise, and it says which.
 */
class CaptureChoiceTest {
    @TempDir
    Path dir;

    @Test
    void withoutLoreKoTheRecordingIsUserSpaceCaptureAndSaysWhy() throws Exception {
        Assumptions.assumeFalse(LoreDevice.present(), "lore.ko is loaded here: the lab's tests cover that side");
        Path file = dir.resolve("tsc.lore");
        MachineConfig config = MachineConfig.of(Guests.path("tsc.elf")).withTimeLimit(Duration.ofSeconds(60));
        RecordSession.Result r = new RecordSession(config, file, Codec.ZSTD).run(new ByteArrayOutputStream(), null);
        assertEquals(RecordingHeader.CAPTURE_USER_SPACE, r.capture());
        assertEquals("/dev/lore is not present (lore.ko is not loaded)", r.captureNote());
        try (RecordingReader reader = RecordingReader.open(file)) {
            assertEquals(RecordingHeader.CAPTURE_USER_SPACE, reader.header().capture());
            for (Iterator<Event> it = reader.events(); it.hasNext();) {
                assertTrue(!(it.next() instanceof Event.Tsc), "TSC events come only from lore.ko");
            }
            // user-space recordings need nothing of the host: the replay starts (whether a TSC
            // reader then diverges is the replay's business and reported as such)
            try (Replayer replayer = new Replayer(reader, new ByteArrayOutputStream())) {
                assertTrue(replayer.machine() != null);
            }
        }
    }
}
