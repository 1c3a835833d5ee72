package io.lore.ui.model;

import io.lore.log.RecordingReader;
import io.lore.log.RecordingSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the Recordings view shows of one recording, read with the engine's reader (which checks
 * every chunk). {@code error} is set, and the rest empty, when the file cannot be read at all.
 */
public record RecordingInfo(Path path, String kernel, double durationSeconds, long events, long exits, long sizeBytes,
        String state, String end, String problem, String error) {

    public static RecordingInfo read(Path path) {
        try (RecordingReader r = RecordingReader.open(path)) {
            RecordingSummary s = r.summary().orElse(null);
            return new RecordingInfo(path, r.header().kernelName(), s == null ? Double.NaN : s.durationNanos() / 1e9,
                    r.eventCount(), s == null ? -1 : s.exits(), r.fileSize(), r.state().name().toLowerCase(Locale.ROOT),
                    s == null ? "" : s.endReason().name().toLowerCase(Locale.ROOT), r.problem(), null);
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return new RecordingInfo(path, "", Double.NaN, 0, -1, path.toFile().length(), "unreadable", "", null, msg);
        }
    }

    public String name() {
        return path.getFileName().toString();
    }

    public boolean complete() {
        return "complete".equals(state);
    }

    public String duration() {
        return Double.isNaN(durationSeconds) ? "?" : String.format(Locale.ROOT, "%.2f s", durationSeconds);
    }

    public String size() {
        if (sizeBytes < 10 * 1024) {
            return sizeBytes + " B";
        }
        if (sizeBytes < 10L * 1024 * 1024) {
            return (sizeBytes + 512) / 1024 + " KiB";
        }
        return (sizeBytes + (1 << 19)) / (1 << 20) + " MiB";
    }

    /** "complete", "truncated: ..." etc.: the integrity column. */
    public String integrity() {
        if (error != null) {
            return "unreadable: " + error;
        }
        return problem == null ? state : state + ": " + problem;
    }
}
