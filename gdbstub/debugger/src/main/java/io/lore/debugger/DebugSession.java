package io.lore.debugger;

import io.lore.replay.travel.Position;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A recording opened for debugging: the time-travel engine plus, on demand, a GDB server over
 * it. This is the API the command line and the Eclipse plug-ins use.
 *
 * <p>Thread-safety: every method may be called from any thread; engine work (seeks, GDB's
 * resumes) is serialised. Listeners are called on the thread that moved the replay.
 */
public final class DebugSession implements AutoCloseable {
    /** Options; {@code checkpointBudgetBytes <= 0} means the default. */
    public record Options(long checkpointBudgetBytes) {
        public static final Options DEFAULTS = new Options(0);
    }

    private DebugSession() {}

    /** Opens and boots the recording, positioned at its start. Throws IOException with a one-line message. */
    public static DebugSession open(Path recording, Options options) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** Starts serving GDB on host:port (port 0: a free one) on a background thread; returns the bound port. */
    public int serveGdb(String host, int port) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** The current position. */
    public Position position() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The current position, guest time and event index, as `monitor when` prints it. */
    public String when() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Seeks like `monitor seek`: a position (EXIT or EXIT:RIP#N), {@code event N} or {@code time SECONDS}. */
    public void seek(String where) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Runs a `monitor` command and returns its output. */
    public String monitor(String command) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Every recorded event with its lane and guest time, for a timeline view. */
    public List<TimelineEntry> timeline() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Guest time, in seconds, of the current position. */
    public double guestSeconds() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Guest times of the checkpoints held now. */
    public List<Double> checkpointSeconds() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Called with the new position after every move (GDB step/continue either way, or a seek). */
    public void addPositionListener(Consumer<Position> listener) {
        throw new UnsupportedOperationException("in progress");
    }

    public void removePositionListener(Consumer<Position> listener) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Stops the GDB server, if any, and the replay. */
    @Override
    public void close() {}
}
