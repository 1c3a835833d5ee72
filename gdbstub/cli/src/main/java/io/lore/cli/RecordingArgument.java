package io.lore.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;

/** The one recording file that replay, info and events take as their argument. */
final class RecordingArgument {
    private RecordingArgument() {}

    static Path of(CommandLine line) {
        if (line.getArgList().size() != 1) {
            throw new UsageException(line.getArgList().isEmpty() ? "name the recording file"
                    : "name one recording file, not " + line.getArgList().size());
        }
        return Path.of(line.getArgList().get(0));
    }
}
