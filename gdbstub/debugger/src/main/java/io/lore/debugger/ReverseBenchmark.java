package io.lore.debugger;

import io.lore.log.Codec;
import io.lore.log.RecordingReader;
import io.lore.machine.MachineConfig;
import io.lore.replay.RecordSession;
import io.lore.replay.travel.Motion;
import io.lore.replay.travel.Position;
import io.lore.replay.travel.StopSet;
import io.lore.replay.travel.TimeTravel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The reverse-debugging benchmark behind `./lore bench reverse` (tools/bench): records two
 * guests, then measures on the engine the debugger uses
 * <ul>
 * <li>reverse-stepi latency at random instants of a multi-second recording (the first
 * reverse step there, which includes finding the instant's position, and the ones after it);
 * <li>reverse-continue to a watchpoint against replaying the same interval forward with the
 * same watchpoint armed;
 * <li>checkpoint memory per guest-second after a full replay.
 * </ul>
 * Usage: ReverseBenchmark STEP_GUEST STEP_CMDLINE SAMPLES WATCH_GUEST WATCH_ADDRESS(hex) SEED
 */
public final class ReverseBenchmark {
    private ReverseBenchmark() {}

    public static void main(String[] a) throws Exception {
        if (a.length != 6) {
            System.err.println("usage: ReverseBenchmark STEP_GUEST STEP_CMDLINE SAMPLES WATCH_GUEST WATCH_ADDRESS_HEX SEED");
            System.exit(2);
        }
        Path tmp = Files.createTempDirectory("lore-bench-reverse");
        try {
            Path stepRec = record(Path.of(a[0]), a[1], tmp.resolve("step.lore"));
            Path watchRec = record(Path.of(a[3]), "", tmp.resolve("watch.lore"));
            EngineThread engine = new EngineThread();
            try {
                engine.run(() -> {
                    try {
                        reverseStepi(stepRec, Integer.parseInt(a[2]), Long.parseLong(a[5]));
                        reverseContinue(watchRec, Long.parseUnsignedLong(a[4], 16));
                    } catch (Exception e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                });
            } finally {
                engine.close();
            }
        } finally {
            try (var s = Files.list(tmp)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tmp);
        }
    }

    private static Path record(Path kernel, String cmdline, Path out) throws Exception {
        RecordSession.Result r = new RecordSession(MachineConfig.of(kernel).withCmdline(cmdline)
                .withTimeLimit(Duration.ofSeconds(120)), out, Codec.ZSTD).run(new ByteArrayOutputStream(), null);
        if (r == null) {
            throw new IllegalStateException("recording " + kernel + " failed");
        }
        return out;
    }

    private static void reverseStepi(Path rec, int samples, long seed) throws Exception {
        double plain;
        try (RecordingReader r = RecordingReader.open(rec); io.lore.replay.Replayer p = new io.lore.replay.Replayer(r, null)) {
            io.lore.replay.Replayer.Result res = p.run();
            if (!res.verified()) {
                throw new IllegalStateException("plain replay did not verify: " + res.outcome());
            }
            plain = res.nanos() / 1e9;
        }
        try (RecordingReader r = RecordingReader.open(rec); TimeTravel t = new TimeTravel(r, 0)) {
            long t0 = System.nanoTime();
            expect(t.continueForward(), Motion.Kind.END);
            double forward = (System.nanoTime() - t0) / 1e9;
            long exits = t.cursor().exit();
            double seconds = r.summary().map(s -> s.durationNanos() / 1e9).orElse(0.0);
            long bytes = t.checkpoints().bytesHeld();
            Random rnd = new Random(seed);
            List<Double> first = new ArrayList<>();
            List<Double> next = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                // a random instant: a random exit, then up to 300 instructions into its segment
                t.seek(Position.anchor(1 + (long) (rnd.nextDouble() * (exits - 2))));
                int steps = rnd.nextInt(300);
                for (int k = 0; k < steps && t.stepForward().kind() == Motion.Kind.STEP; k++) {
                    // walking in
                }
                long s0 = System.nanoTime();
                expect(t.stepBackward(), Motion.Kind.STEP);
                first.add((System.nanoTime() - s0) / 1e6);
                for (int k = 0; k < 3; k++) {
                    long s1 = System.nanoTime();
                    expect(t.stepBackward(), Motion.Kind.STEP);
                    next.add((System.nanoTime() - s1) / 1e6);
                }
            }
            List<Double> all = new ArrayList<>(first);
            all.addAll(next);
            System.out.printf(Locale.ROOT, "recording: %s, %.2f guest-s, %d exits; full forward replay: plain replay %.2f s, "
                    + "on the debugging engine %.2f s%n", rec.getFileName(), seconds, exits, plain, forward);
            System.out.printf(Locale.ROOT, "reverse-stepi: %d random instants x 4 steps back: median %.1f ms, p95 %.1f ms "
                    + "(first step back at an instant: median %.1f ms, p95 %.1f ms; the next ones: median %.1f ms)%n",
                    samples, pct(all, 50), pct(all, 95), pct(first, 50), pct(first, 95), pct(next, 50));
            System.out.printf(Locale.ROOT, "checkpoints after the full replay: %d, %.2f MiB = %.2f MiB per guest-second%n",
                    t.checkpoints().size(), bytes / 1048576.0, bytes / 1048576.0 / seconds);
            System.out.printf(Locale.ROOT, "reverse-stepi median %.1f ms (goal <= 100 ms)%n", pct(all, 50));
        }
    }

    private static void reverseContinue(Path rec, long watch) throws Exception {
        try (RecordingReader r = RecordingReader.open(rec); TimeTravel t = new TimeTravel(r, 0)) {
            expect(t.continueForward(), Motion.Kind.END);
            Position end = t.position();
            if (!t.addWatchpoint(StopSet.Access.WRITE, watch, 4)) {
                throw new IllegalStateException("cannot watch 0x" + Long.toHexString(watch));
            }
            long t0 = System.nanoTime();
            expect(t.continueBackward(), Motion.Kind.WATCHPOINT);
            double back = (System.nanoTime() - t0) / 1e9;
            Position hit = t.position();
            // the same interval forward, with the same watchpoint armed
            t.seek(hit);
            expect(t.stepForward(), Motion.Kind.WATCHPOINT);
            long t1 = System.nanoTime();
            expect(t.continueForward(), Motion.Kind.END);
            double forward = (System.nanoTime() - t1) / 1e9;
            System.out.printf(Locale.ROOT, "reverse-continue to the last write of 0x%x from the end (exit %d back to exit %d): "
                    + "%.2f s; forward replay of that interval with the watchpoint armed: %.2f s; ratio %.2f (goal <= 2)%n",
                    watch, end.exit(), hit.exit(), back, forward, back / forward);
        }
    }

    private static void expect(Motion m, Motion.Kind k) {
        if (m.kind() != k) {
            throw new IllegalStateException("expected " + k + ", got " + m.kind()
                    + (m.divergence() != null ? ": " + m.divergence().describe() : ""));
        }
    }

    private static double pct(List<Double> v, int p) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
