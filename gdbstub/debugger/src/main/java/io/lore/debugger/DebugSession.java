package io.lore.debugger;

import io.lore.kvm.KvmException;
import io.lore.log.Event;
import io.lore.log.RecordingReader;
import io.lore.machine.boot.BootException;
import io.lore.replay.Divergence;
import io.lore.replay.EventFormat;
import io.lore.replay.checkpoint.Checkpoint;
import io.lore.replay.checkpoint.CheckpointStore;
import io.lore.replay.travel.Position;
import io.lore.replay.travel.TimeTravel;
import io.lore.rsp.GdbServer;
import io.lore.rsp.RspLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A recording opened for debugging: the time-travel engine plus, on demand, a GDB server over
 * it. This is the API the command line and the Eclipse plug-ins use.
 *
 * <p>Thread-safety: every method may be called from any thread; engine work (seeks, GDB's
 * resumes) is serialised on one engine thread. Listeners are called on the thread that moved
 * the replay (the GDB server's, or the caller of {@link #seek}).
 */
public final class DebugSession implements AutoCloseable {
    /** Options; {@code checkpointBudgetBytes <= 0} means the default ({@link TimeTravel#DEFAULT_BUDGET_BYTES}). */
    public record Options(long checkpointBudgetBytes) {
        public static final Options DEFAULTS = new Options(0);
    }

    private final Path path;
    private final RecordingReader recording;
    private final EngineThread engine;
    private final TimeTravel travel;
    private final List<Event> events;
    private final GuestTime time;
    private final MonitorCommands monitor;
    private final ReplayDebugTarget target;
    private final List<Consumer<Position>> listeners = new CopyOnWriteArrayList<>();
    private final List<GdbServer> servers = new CopyOnWriteArrayList<>();
    private volatile RspLog log = RspLog.STDERR;

    private DebugSession(Path path, RecordingReader recording, EngineThread engine, TimeTravel travel) {
        this.path = path;
        this.recording = recording;
        this.engine = engine;
        this.travel = travel;
        this.events = engine.call(() -> travel.cursor().events(0, (int) travel.cursor().eventCount()));
        this.time = new GuestTime(events, recording.summary().map(s -> s.durationNanos() / 1e9).orElse(0.0));
        this.monitor = new MonitorCommands(this);
        this.target = new ReplayDebugTarget(engine, travel, monitor, this::moved, line -> log.log(line));
    }

    /** Opens and boots the recording, positioned at its start. Throws IOException with a one-line message. */
    public static DebugSession open(Path recording, Options options) throws IOException {
        RecordingReader reader;
        try {
            reader = RecordingReader.open(recording);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(recording + ": no such file");
        } catch (io.lore.log.RecordingFormatException e) {
            throw new IOException(recording + ": not a LoRe recording: " + e.getMessage());
        }
        EngineThread engine = new EngineThread();
        try {
            TimeTravel t = engine.call(() -> new TimeTravel(reader, options.checkpointBudgetBytes()));
            return new DebugSession(recording, reader, engine, t);
        } catch (KvmException | BootException | IllegalStateException | IllegalArgumentException e) {
            engine.close();
            reader.close();
            throw new IOException(recording + ": cannot replay: " + e.getMessage());
        }
    }

    /** Where the server and the engine report (default: standard error). */
    public void setLog(RspLog log) {
        this.log = log == null ? RspLog.SILENT : log;
    }

    /** A GDB server over this replay on host:port (port 0: a free one); the caller serves it. */
    public GdbServer gdbServer(String host, int port) throws IOException {
        GdbServer s = new GdbServer(target, host, port, line -> log.log(line));
        servers.add(s);
        return s;
    }

    /** Starts serving GDB on host:port (port 0: a free one) on a background thread; returns the bound port. */
    public int serveGdb(String host, int port) throws IOException {
        GdbServer s = gdbServer(host, port);
        Thread t = new Thread(s::serveForever, "lore-gdb-server :" + s.port());
        t.setDaemon(true);
        t.start();
        return s.port();
    }

    /** The current position. */
    public Position position() {
        return engine.call(travel::position);
    }

    /** The current position, guest time and event index, as `monitor when` prints it. */
    public String when() {
        return engine.call(() -> {
            Position p = travel.position();
            long exit = travel.cursor().exit();
            return String.format(Locale.ROOT, "position %s: exit %d of %d, event %d of %d, guest time %.6f s%n",
                    p, exit, lastExit(), travel.cursor().eventIndex(), events.size(), time.at(exit));
        });
    }

    /** Seeks like `monitor seek`: a position (EXIT or EXIT:RIP#N), {@code event N}, {@code exit N} or {@code time SECONDS}. */
    public void seek(String where) {
        String w = where.trim();
        String[] parts = w.split("\\s+", 2);
        engine.run(() -> {
            switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "event" -> travel.seekEvent(number(parts, "event"));
                case "exit" -> travel.seek(Position.anchor(checkedExit(number(parts, "exit"))));
                case "time" -> travel.seek(Position.anchor(time.exitAt(seconds(parts))));
                case "" -> throw new IllegalArgumentException("seek where? a position, event N, exit N or time SECONDS");
                default -> {
                    Position p = Position.parse(w);
                    checkedExit(p.exit());
                    travel.seek(p);
                }
            }
        });
        moved();
    }

    /** Runs a `monitor` command and returns its output. */
    public String monitor(String command) {
        return monitor.run(command);
    }

    /** Every recorded event (digests aside) with its lane and guest time, for a timeline view. */
    public List<TimelineEntry> timeline() {
        List<TimelineEntry> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            String lane = lane(e);
            if (lane != null) {
                out.add(new TimelineEntry(i, e.ordinal(), time.at(e.ordinal()), lane, EventFormat.describe(e).trim()));
            }
        }
        return out;
    }

    private static String lane(Event e) {
        if (e instanceof Event.Interrupt i) {
            return String.format("interrupt 0x%02x", i.vector());
        }
        if (e instanceof Event.SerialInput || e instanceof Event.PioOut o && isSerial(o.port())
                || e instanceof Event.PioIn in && isSerial(in.port())) {
            return "serial";
        }
        if (e instanceof Event.PioIn || e instanceof Event.PioOut) {
            return "port I/O";
        }
        if (e instanceof Event.MmioRead || e instanceof Event.MmioWrite) {
            return "mmio";
        }
        if (e instanceof Event.Halt) {
            return "halt";
        }
        return e instanceof Event.End ? "end" : null;
    }

    private static boolean isSerial(int port) {
        return port >= 0x3f8 && port <= 0x3ff;
    }

    /** Guest time, in seconds, of the current position. */
    public double guestSeconds() {
        return time.at(engine.call(() -> travel.cursor().exit()));
    }

    /** Length of the recording in guest seconds. */
    public double durationSeconds() {
        return time.duration();
    }

    /** Guest times of the checkpoints held now. */
    public List<Double> checkpointSeconds() {
        return engine.call(() -> travel.checkpoints().checkpoints().stream().map(c -> time.at(c.position())).toList());
    }

    /** Called with the new position after every move (GDB step/continue either way, or a seek). */
    public void addPositionListener(Consumer<Position> listener) {
        listeners.add(listener);
    }

    public void removePositionListener(Consumer<Position> listener) {
        listeners.remove(listener);
    }

    public Path path() {
        return path;
    }

    // ---- for the monitor commands ----

    void setPhysical(boolean on) {
        target.setPhysical(on);
    }

    boolean physical() {
        return target.physical();
    }

    String eventsFromHere(int n) {
        return engine.call(() -> {
            long from = travel.cursor().eventIndex();
            StringBuilder b = new StringBuilder();
            for (long i = from; i < Math.min(events.size(), from + n); i++) {
                Event e = events.get((int) i);
                b.append(String.format(Locale.ROOT, "event %-7d %9.6f s  %s%n", i, time.at(e.ordinal()), EventFormat.describe(e)));
            }
            return b.length() == 0 ? "no more events: this is the end of the recording\n" : b.toString();
        });
    }

    String checkpointsText() {
        return engine.call(() -> {
            CheckpointStore s = travel.checkpoints();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%d checkpoints, %.1f MiB of %.0f MiB budget%n",
                    s.size(), s.bytesHeld() / 1048576.0, s.budget() / 1048576.0));
            for (Checkpoint c : s.checkpoints()) {
                b.append(String.format(Locale.ROOT, "  exit %-8d %9.6f s  %7.1f KiB%n", c.position(), time.at(c.position()),
                        c.bytesHeld() / 1024.0));
            }
            return b.toString();
        });
    }

    String infoText(Divergence divergence) {
        return engine.call(() -> {
            StringBuilder b = new StringBuilder();
            b.append("recording   ").append(path).append(" (").append(recording.state().name().toLowerCase(Locale.ROOT))
                    .append(")\n");
            b.append("kernel      ").append(recording.header().kernelName()).append(", ")
                    .append(recording.header().memoryMiB()).append(" MiB, positioning ").append(recording.header().positioning())
                    .append('\n');
            b.append(String.format(Locale.ROOT, "history     %d exits, %d events, %.3f guest seconds%n", lastExit(), events.size(),
                    time.duration()));
            b.append(String.format(Locale.ROOT, "engine      %d checkpoints (%.1f MiB), %d restores, %d single steps, "
                    + "%d breakpoint hits, %d trapped accesses%n", travel.checkpoints().size(),
                    travel.checkpoints().bytesHeld() / 1048576.0, travel.restores(), travel.cursor().steps(),
                    travel.cursor().breakpointHits(), travel.cursor().traps()));
            b.append("memory      guest-").append(physical() ? "physical" : "virtual").append(" addresses\n");
            if (divergence != null) {
                b.append("DIVERGED    ").append(divergence.describe().replace("\n", "\n            ")).append('\n');
            }
            return b.toString();
        });
    }

    private long lastExit() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).ordinal();
    }

    private long checkedExit(long exit) {
        if (exit < 0 || exit > lastExit()) {
            throw new IllegalArgumentException("no exit " + exit + ": the recording has exits 0.." + lastExit());
        }
        return exit;
    }

    private static long number(String[] parts, String what) {
        try {
            return Long.parseLong(parts.length > 1 ? parts[1].trim() : "");
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seek " + what + " N: N must be a number");
        }
    }

    private double seconds(String[] parts) {
        try {
            double s = Double.parseDouble(parts.length > 1 ? parts[1].trim().replaceAll("s$", "") : "");
            if (s < 0 || s > time.duration()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "time %.3f s is outside the recording (0..%.3f s)",
                        s, time.duration()));
            }
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seek time SECONDS: SECONDS must be a number");
        }
    }

    private void moved() {
        if (listeners.isEmpty()) {
            return;
        }
        Position p = position();
        for (Consumer<Position> l : listeners) {
            l.accept(p);
        }
    }

    /** Stops the GDB servers, if any, and the replay. */
    @Override
    public void close() {
        servers.forEach(GdbServer::close);
        try {
            engine.run(travel::close);
        } finally {
            engine.close();
            try {
                recording.close();
            } catch (IOException e) {
                // nothing left to lose
            }
        }
    }
}
