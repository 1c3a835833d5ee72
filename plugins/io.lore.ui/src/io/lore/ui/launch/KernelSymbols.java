package io.lore.ui.launch;

import io.lore.log.RecordingReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The guest kernel a recording carries, written out as a symbol file when it is an ELF. */
public final class KernelSymbols {
    private KernelSymbols() {}

    /**
     * Writes the recording's embedded kernel into {@code dir} and returns it, or returns null
     * when it is not an ELF (a bzImage has no symbols for GDB).
     */
    public static Path extract(Path recording, Path dir) throws IOException {
        byte[] kernel;
        try (RecordingReader r = RecordingReader.open(recording)) {
            kernel = r.kernel();
        }
        if (kernel.length < 4 || kernel[0] != 0x7f || kernel[1] != 'E' || kernel[2] != 'L' || kernel[3] != 'F') {
            return null;
        }
        Files.createDirectories(dir);
        Path out = dir.resolve(recording.getFileName() + ".kernel.elf");
        Files.write(out, kernel);
        return out;
    }
}
