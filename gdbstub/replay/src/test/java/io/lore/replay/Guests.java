package io.lore.replay;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built test guests are (the build sets lore.guests.dir). */
final class Guests {
    private Guests() {}

    static Path path(String name) {
        String dir = System.getProperty("lore.guests.dir", "../../guests/build");
        Path p = Path.of(dir, name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build the guests first (make -C guests)");
        }
        return p;
    }
}
