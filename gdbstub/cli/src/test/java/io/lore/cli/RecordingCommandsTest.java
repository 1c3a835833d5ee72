package io.lore.cli;

import static io.lore.cli.RunCommandTest.assertNoStackTrace;
import static io.lore.cli.RunCommandTest.assertUsageError;
import static io.lore.cli.RunCommandTest.guest;
import static io.lore.cli.RunCommandTest.lore;
import static io.lore.cli.RunCommandTest.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.cli.RunCommandTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `lore record`, `replay --verify`, `info` and `events` end to end, on one recording of a guest
 * whose timer interrupts arrive while it computes (taken where the kick finds it, so that many
 * are positioned by state), and on damaged copies of it: what each command prints and its exit
 * status (README, "The lore command").
 */
class RecordingCommandsTest {
    private static final Pattern JSON_EXIT = Pattern.compile("\"exit\":(\\d+)");

    @TempDir
    static Path dir;
    static Path recording;
    static Result recorded;
    static byte[] whole;

    @BeforeAll
    static void record() throws Exception {
        recording = dir.resolve("irq.lore");
        recorded = lore("record", "--kernel", guest("irqio.elf").toString(), "--cmdline", "n=200 hz=1000 work=40",
                "--interrupt-delay", "0", "--out", recording.toString(), "--serial-out", dir.resolve("rec.out").toString());
        whole = Files.readAllBytes(recording);
    }

    @Test
    void recordThenReplayReproducesTheSerialOutput() throws Exception {
        assertEquals(1, recorded.status(), recorded::toString); // the guest wrote 0 to the debug-exit port
        assertTrue(recorded.stderr().contains("lore: recorded " + recording), recorded::toString);
        Path replayed = dir.resolve("replay.out");
        Result r = lore("replay", recording.toString(), "--verify", "--serial-out", replayed.toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.stderr().contains("reproduced the recording exactly"), r::toString);
        byte[] out = Files.readAllBytes(dir.resolve("rec.out"));
        assertTrue(new String(out).contains("done 200"), () -> new String(out));
        assertArrayEquals(out, Files.readAllBytes(replayed));
    }

    @Test
    void infoAndEventsAgree() {
        CompletableFuture<Result> text = start(new byte[0], "info", recording.toString());
        CompletableFuture<Result> json = start(new byte[0], "info", recording.toString(), "--json");
        CompletableFuture<Result> all = start(new byte[0], "events", recording.toString(), "--json");
        Result t = text.join();
        assertEquals(0, t.status(), t::toString);
        assertTrue(t.stdout().lines().anyMatch(l -> l.matches("state\\s+complete")), t::toString);
        Result j = json.join();
        assertEquals(0, j.status(), j::toString);
        Matcher events = Pattern.compile("\"events\":(\\d+)").matcher(j.stdout());
        assertTrue(j.stdout().contains("\"state\":\"complete\"") && events.find(), j::toString);
        Result e = all.join();
        assertEquals(0, e.status(), e::toString);
        assertEquals(Long.parseLong(events.group(1)), e.stdout().lines().count(), "one JSON line per event");
    }

    /** An interrupt positioned by state lists the whole state replay looks for, its RIP among the registers. */
    @Test
    void eventsFilterByKindAndPosition() {
        Result ints = lore("events", recording.toString(), "--kind", "interrupt", "--json");
        assertEquals(0, ints.status(), ints::toString);
        List<String> lines = ints.stdout().lines().toList();
        assertTrue(lines.size() > 50, ints::toString);
        Pattern byState = Pattern.compile("\"rip\":(\\d+),\"registers\":\\{\"rax\":\\d+.*\"rip\":(\\d+),\"rflags\":\\d+\\},"
                + "\"systemHash\":\"[0-9a-f]{16}\",\"memoryHash\":\"[0-9a-f]{16}\"");
        long count = 0;
        for (String l : lines) {
            assertTrue(l.contains("\"kind\":\"interrupt\""), l);
            Matcher m = byState.matcher(l);
            if (m.find()) {
                count++;
                assertEquals(m.group(1), m.group(2), l);
            }
        }
        long positionedByState = count;
        assertTrue(positionedByState > lines.size() / 4, () -> positionedByState + " of " + lines.size()
                + " interrupts positioned by state, recorded with --interrupt-delay 0:\n" + ints.stdout());

        Result window = lore("events", recording.toString(), "--from", "100", "--to", "120", "--json");
        assertEquals(0, window.status(), window::toString);
        List<String> w = window.stdout().lines().toList();
        assertTrue(w.size() >= 21, window::toString); // at least the exits' own events
        for (String l : w) {
            Matcher m = JSON_EXIT.matcher(l);
            assertTrue(m.find(), l);
            long exit = Long.parseLong(m.group(1));
            assertTrue(exit >= 100 && exit <= 120, l);
        }
    }

    @Test
    void aRecordingCutShortReplaysItsPrefixAndSaysWhere() throws Exception {
        Path cut = Files.write(dir.resolve("cut.lore"), Arrays.copyOf(whole, whole.length - 2000));
        CompletableFuture<Result> info = start(new byte[0], "info", cut.toString());
        Result replay = lore("replay", cut.toString(), "--verify");
        Result i = info.join();
        assertEquals(3, i.status(), i::toString);
        assertTrue(i.stdout().lines().anyMatch(l -> l.matches("state\\s+truncated")), i::toString);
        assertTrue(i.stdout().lines().anyMatch(l -> l.matches("problemOffset\\s+\\d+")), i::toString);
        assertEquals(3, replay.status(), replay::toString);
        assertTrue(replay.stderr().contains("replayed the readable part of " + cut + " exactly"), replay::toString);
        assertNoStackTrace(replay);
    }

    @Test
    void aDamagedChunkIsReportedWithItsOffsetAndNeverReplayed() throws Exception {
        byte[] bad = whole.clone();
        bad[bad.length - 300] ^= (byte) 0xff;
        Path damaged = Files.write(dir.resolve("damaged.lore"), bad);
        CompletableFuture<Result> info = start(new byte[0], "info", damaged.toString());
        Result replay = lore("replay", damaged.toString(), "--verify");
        Result i = info.join();
        assertEquals(3, i.status(), i::toString);
        assertTrue(i.stdout().lines().anyMatch(l -> l.matches("state\\s+damaged")), i::toString);
        assertTrue(i.stdout().contains("checksum"), i::toString);
        assertEquals(3, replay.status(), replay::toString);
        assertTrue(replay.stderr().contains("is damaged at offset"), replay::toString);
    }

    /** Nothing to replay before the boot images are whole: every command says so in one line. */
    @Test
    void aRecordingCutInsideItsKernelImageIsOneClearError() throws Exception {
        Path cut = Files.write(dir.resolve("early.lore"), Arrays.copyOf(whole, whole.length / 4));
        List<CompletableFuture<Result>> runs = List.of(start(new byte[0], "info", cut.toString()),
                start(new byte[0], "events", cut.toString()), start(new byte[0], "replay", cut.toString(), "--verify"));
        for (CompletableFuture<Result> r : runs) {
            assertUsageError(r.join(), "early.lore: recording is cut short", "at offset",
                    "before its kernel image is complete: nothing to replay");
        }
        Path junk = Files.writeString(dir.resolve("junk.lore"), "not a recording");
        assertUsageError(lore("info", junk.toString()), "junk.lore", "not a LoRe recording");
    }

    @Test
    void badEventsOptions() {
        List<CompletableFuture<Result>> runs = List.of(
                start(new byte[0], "events", recording.toString(), "--from", "abc"),
                start(new byte[0], "events", recording.toString(), "--limit", "-1"),
                start(new byte[0], "events", recording.toString(), "--from", "50", "--to", "10"),
                start(new byte[0], "events", recording.toString(), "--kind", "bogus"));
        assertUsageError(runs.get(0).join(), "--from", "'abc'", "lore help events");
        assertUsageError(runs.get(1).join(), "--limit", "'-1'");
        assertUsageError(runs.get(2).join(), "--from 50 is after --to 10");
        assertUsageError(runs.get(3).join(), "unknown event kind 'bogus'");
    }

    /** A guest that triple-faults: status 4, the register dump once, a one-line summary; the crash replays. */
    @Test
    void aCrashIsRecordedAndReplayed() {
        Path crash = dir.resolve("triple.lore");
        Result r = lore("record", "--kernel", guest("triple.elf").toString(), "--out", crash.toString());
        assertEquals(4, r.status(), r::toString);
        assertNoStackTrace(r);
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("rflags")).count(), () -> "one register dump:\n" + r);
        assertTrue(r.stderr().lines().anyMatch(l -> l.startsWith("lore: recorded " + crash + ": triple fault")
                && l.contains(" exits, ")), r::toString);
        Result replay = lore("replay", crash.toString(), "--verify");
        assertEquals(0, replay.status(), replay::toString);
        assertTrue(replay.stderr().contains("1 digest matched"), replay::toString);
    }

    @Test
    void checkpointMemoryIsForGdbSessionsOnly() {
        assertUsageError(lore("replay", recording.toString(), "--checkpoint-memory", "64"), "--checkpoint-memory", "--gdb");
    }

    /** SIGTERM (or Ctrl-C) stops the guest; the recording is still finished: complete, ending "stopped", replayable. */
    @Test
    void aSignalStopsTheRecordingAndLeavesItComplete() throws Exception {
        Path stopped = dir.resolve("stopped.lore");
        Path err = dir.resolve("stopped.err");
        Process p = new ProcessBuilder(RunCommandTest.command("record", "--kernel", guest("irqio.elf").toString(),
                "--cmdline", "n=100000000 work=4", "--out", stopped.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.readString(err).contains("recording stopped.lore") && !Files.exists(stopped)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000); // some guest time, a chunk or two
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "lore record ended after SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err);
        assertTrue(stderr.contains("lore: recorded " + stopped + ": stopped;"), stderr);
        Result info = lore("info", stopped.toString());
        assertEquals(0, info.status(), info::toString);
        assertTrue(info.stdout().lines().anyMatch(l -> l.matches("state\\s+complete")), info::toString);
        assertTrue(info.stdout().lines().anyMatch(l -> l.matches("\\s*end\\s+stopped")), info::toString);
        Result replay = lore("replay", stopped.toString(), "--verify");
        assertEquals(0, replay.status(), replay::toString);
    }
}
