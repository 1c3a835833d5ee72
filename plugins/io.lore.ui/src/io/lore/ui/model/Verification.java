package io.lore.ui.model;

import io.lore.log.RecordingReader;
import io.lore.replay.Replayer;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/** Replays a recording without devices and says in one line whether it reproduced exactly. */
public final class Verification {
    private Verification() {}

    public record Outcome(boolean exact, String line) {}

    public static Outcome run(Path file) {
        try (RecordingReader rec = RecordingReader.open(file);
             Replayer replayer = new Replayer(rec, OutputStream.nullOutputStream())) {
            Replayer.Result r = replayer.run();
            switch (r.outcome()) {
                case VERIFIED:
                    return new Outcome(true, String.format(Locale.ROOT, "reproduced exactly: %,d exits, %,d events, %d digests",
                            r.exits(), r.events(), r.digestsChecked()));
                case PREFIX_VERIFIED:
                    return new Outcome(true, String.format(Locale.ROOT, "readable part reproduced exactly (%,d exits); file is %s",
                            r.exits(), rec.state().name().toLowerCase(Locale.ROOT)));
                case STOPPED:
                    return new Outcome(false, "stopped at exit " + r.exits());
                default:
                    return new Outcome(false, "diverged: " + r.divergence().describe().lines().findFirst().orElse(""));
            }
        } catch (Exception e) {
            return new Outcome(false, "cannot replay: " + (e.getMessage() == null ? e : e.getMessage()));
        }
    }
}
