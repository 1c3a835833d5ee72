package io.lore.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.log.Codec;
import io.lore.log.Event;
import io.lore.log.EventKind;
import io.lore.log.RecordingReader;
import io.lore.machine.MachineConfig;
import io.lore.machine.RunResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Record a guest on the real /dev/kvm, replay it, and demand an exact reproduction. */
class RecordReplayTest {
    @TempDir
    Path dir;

    record Run(RecordSession.Result recorded, byte[] recordedSerial, Replayer.Result replayed, byte[] replayedSerial) {}

    static RecordSession.Result record(MachineConfig config, Path out, InputStream input, ByteArrayOutputStream serial)
            throws Exception {
        return new RecordSession(config, out, Codec.ZSTD).run(serial, input);
    }

    static Replayer.Result replay(Path file, ByteArrayOutputStream serial) throws Exception {
        try (RecordingReader r = RecordingReader.open(file); Replayer replayer = new Replayer(r, serial)) {
            return replayer.run();
        }
    }

    Run roundTrip(String guest, String cmdline, byte[] input) throws Exception {
        Path file = dir.resolve(guest + ".lore");
        ByteArrayOutputStream recSerial = new ByteArrayOutputStream();
        MachineConfig config = MachineConfig.of(Guests.path(guest)).withCmdline(cmdline).withTimeLimit(Duration.ofSeconds(60));
        RecordSession.Result rec = record(config, file, input == null ? null : new ByteArrayInputStream(input), recSerial);
        assertEquals(RunResult.Outcome.DEBUG_EXIT, rec.run().outcome(), rec.run().detail());
        ByteArrayOutputStream repSerial = new ByteArrayOutputStream();
        Replayer.Result rep = replay(file, repSerial);
        assertTrue(rep.verified(), () -> guest + ": " + (rep.divergence() != null ? rep.divergence().describe() : rep.outcome()));
        assertArrayEquals(recSerial.toByteArray(), repSerial.toByteArray(), guest + ": serial output differs");
        assertEquals(rec.exits(), rep.exits(), "replay must pass through every recorded exit");
        assertTrue(rep.digestsChecked() >= 1, "at least the final digest is compared");
        return new Run(rec, recSerial.toByteArray(), rep, repSerial.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello.elf", "pic.elf", "rtc.elf", "fault.elf"})
    void deviceGuestsReplayExactly(String guest) throws Exception {
        roundTrip(guest, "", null);
    }

    /** Timer interrupts delivered while the guest spins without exits: positioned by state, found by breakpoint. */
    @Test
    void interruptsDuringASpinReplayExactlyEveryTime() throws Exception {
        for (int i = 0; i < 3; i++) {
            Run r = roundTrip("spin.elf", "", null);
            assertTrue(new String(r.replayedSerial()).contains("ok timer interrupts while spinning"));
            assertTrue(r.replayed().breakpointHits() > 0, "asynchronous interrupts were located by breakpoint");
        }
    }

    /**
     * The interrupt delay: irqio computing ~0.4 ms between its OUTs gets most 1 kHz ticks while
     * it computes (positioned by state) when they are delivered at once, and nearly none with
     * the default delay, where a due tick waits for the next OUT. Both recordings replay exactly.
     */
    @Test
    void aDueTimerWaitsForTheNextExitInsteadOfAKick() throws Exception {
        long atOnce = interruptsPositionedByState(Duration.ZERO);
        long delayed = interruptsPositionedByState(Duration.ofNanos(RecordSession.DEFAULT_INTERRUPT_DELAY_NANOS));
        assertTrue(atOnce >= 20, "kicked at once, ticks arrive while the guest computes: " + atOnce);
        assertTrue(delayed * 4 < atOnce, "with the delay, ticks wait for an exit: " + delayed + " vs " + atOnce);
    }

    private long interruptsPositionedByState(Duration delay) throws Exception {
        Path file = dir.resolve("irqio-" + delay.toNanos() + ".lore");
        MachineConfig config = MachineConfig.of(Guests.path("irqio.elf")).withCmdline("n=300 hz=1000 work=40")
                .withTimeLimit(Duration.ofSeconds(60));
        RecordSession.Result rec = new RecordSession(config, file, Codec.ZSTD).interruptDelay(delay)
                .run(new ByteArrayOutputStream(), null);
        assertEquals(RunResult.Outcome.DEBUG_EXIT, rec.run().outcome(), rec.run().detail());
        Replayer.Result rep = replay(file, new ByteArrayOutputStream());
        assertTrue(rep.verified(), () -> rep.divergence() != null ? rep.divergence().describe() : rep.outcome().toString());
        long n = 0;
        try (RecordingReader r = RecordingReader.open(file)) {
            for (var it = r.events(); it.hasNext(); ) {
                if (it.next() instanceof Event.Interrupt i && i.at() != null) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void timerInterruptsAtHaltsAndLatchedCountsReplayExactly() throws Exception {
        for (int i = 0; i < 2; i++) {
            Run r = roundTrip("pit.elf", "", null);
            try (RecordingReader rec = RecordingReader.open(dir.resolve("pit.elf.lore"))) {
                assertTrue(rec.summary().orElseThrow().count(EventKind.INTERRUPT) >= 30);
            }
            assertTrue(new String(r.replayedSerial()).contains("all 17 checks passed"));
        }
    }

    @Test
    void serialInputIsRecordedAndReplayedWithoutTheInput() throws Exception {
        Run r = roundTrip("uart.elf", "", "hello lore\nquit\n".getBytes());
        assertTrue(new String(r.replayedSerial()).contains("echo: hello lore"), new String(r.replayedSerial()));
        try (RecordingReader rec = RecordingReader.open(dir.resolve("uart.elf.lore"))) {
            assertEquals(16, rec.summary().orElseThrow().count(EventKind.SERIAL_INPUT));
        }
    }

    @Test
    void theCmosClockReadsBackAsRecordedNotAsNow() throws Exception {
        Run r = roundTrip("rtc.elf", "", null);
        Thread.sleep(1100); // the wall clock moves on; the replayed guest must still print the recorded time
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertTrue(replay(dir.resolve("rtc.elf.lore"), again).verified());
        assertArrayEquals(r.recordedSerial(), again.toByteArray());
    }

    @Test
    void theDemoReplaysExactlyWithItsBugReport() throws Exception {
        Path file = dir.resolve("demo.lore");
        ByteArrayOutputStream recSerial = new ByteArrayOutputStream();
        RecordSession.Result rec = record(MachineConfig.of(Guests.path("demo.elf")).withTimeLimit(Duration.ofSeconds(60)),
                file, null, recSerial);
        assertEquals(7, rec.run().exitStatus(), "the demo reports its planted bug with status 7");
        // ticks that arrive in memset's byte loop wait for memset to return (ReturnPoint)
        assertTrue(rec.movedToReturnPoints() > 0, "some interrupts were moved to a return point");
        ByteArrayOutputStream repSerial = new ByteArrayOutputStream();
        Replayer.Result rep = replay(file, repSerial);
        assertTrue(rep.verified(), () -> rep.divergence() != null ? rep.divergence().describe() : rep.outcome().toString());
        assertArrayEquals(recSerial.toByteArray(), repSerial.toByteArray());
        assertTrue(new String(repSerial.toByteArray()).contains("BUG: corrupted ring_ctl.magic"));
        try (RecordingReader r = RecordingReader.open(file)) {
            assertEquals(recSerial.size(), r.summary().orElseThrow().serialBytes());
        }
    }

    @Test
    void aGuestThatTripleFaultsReplaysToItsCrash() throws Exception {
        Path file = dir.resolve("triple.lore");
        RecordSession.Result rec = record(MachineConfig.of(Guests.path("triple.elf")), file, null, new ByteArrayOutputStream());
        assertEquals(RunResult.Outcome.CRASHED, rec.run().outcome(), rec.run().detail());
        Replayer.Result rep = replay(file, new ByteArrayOutputStream());
        assertTrue(rep.verified(), () -> rep.divergence() != null ? rep.divergence().describe() : rep.outcome().toString());
    }

    @Test
    void manyExitsReplayExactly() throws Exception {
        Run r = roundTrip("exits.elf", "n=20000", null);
        assertTrue(r.recorded().exits() >= 20000);
    }

    @Test
    void aRecordingCutShortReplaysItsPrefixAndSaysSo() throws Exception {
        Run full = roundTrip("pit.elf", "", null);
        Path file = dir.resolve("pit.elf.lore");
        Path cut = dir.resolve("cut.lore");
        LogSurgery.truncateAfterEvents(file, cut, 600);
        Replayer.Result r = replay(cut, new ByteArrayOutputStream());
        assertEquals(Replayer.Outcome.PREFIX_VERIFIED, r.outcome());
        assertTrue(r.exits() < full.recorded().exits() && r.exits() > 0, "replayed " + r.exits() + " exits");
    }

    @Test
    void aChangedOutValueIsADivergenceAtThatExit() throws Exception {
        roundTrip("hello.elf", "", null);
        Path file = dir.resolve("hello.elf.lore");
        Path bad = dir.resolve("bad.lore");
        long at = LogSurgery.rewrite(file, bad, e -> e instanceof Event.PioOut p && p.port() == 0x3f8 && p.ordinal() > 100
                ? new Event.PioOut(p.ordinal(), p.port(), p.size(), p.value() ^ 1) : null);
        Replayer.Result r = replay(bad, new ByteArrayOutputStream());
        assertEquals(Replayer.Outcome.DIVERGED, r.outcome());
        assertNotNull(r.divergence());
        assertEquals(at, r.divergence().ordinal(), r.divergence().describe());
        assertTrue(r.divergence().describe().contains("port 0x03f8"), r.divergence().describe());
    }

    /** The seconds the guest reads from CMOS (index 0 selected on port 0x70) change what it does next. */
    @Test
    void aChangedInValueTheGuestUsesIsCaughtAtOrAfterIt() throws Exception {
        roundTrip("rtc.elf", "", null);
        Path file = dir.resolve("rtc.elf.lore");
        Path bad = dir.resolve("bad-in.lore");
        int[] cmosIndex = {-1};
        long at = LogSurgery.rewrite(file, bad, e -> {
            if (e instanceof Event.PioOut p && p.port() == 0x70) {
                cmosIndex[0] = p.value() & 0x7f;
            }
            return e instanceof Event.PioIn p && p.port() == 0x71 && cmosIndex[0] == 0
                    ? new Event.PioIn(p.ordinal(), p.port(), p.size(), p.value() ^ 0x01) : null;
        });
        Replayer.Result r = replay(bad, new ByteArrayOutputStream());
        assertEquals(Replayer.Outcome.DIVERGED, r.outcome());
        assertTrue(r.divergence().ordinal() >= at, r.divergence().describe());
    }

    /** A guest that spins without exits past a state the log expects must end in a report, not a hang. */
    @Test
    void aStateNeverReachedIsReportedAsAStallNotAHang() throws Exception {
        roundTrip("spin.elf", "", null);
        Path bad = dir.resolve("stall.lore");
        LogSurgery.rewrite(dir.resolve("spin.elf.lore"), bad, e -> e instanceof Event.Interrupt i && i.at() != null
                ? new Event.Interrupt(i.ordinal(), i.vector(), new io.lore.log.StatePoint(i.at().regs(),
                        i.at().systemHash(), i.at().memoryHash() ^ 1)) : null);
        try (RecordingReader r = RecordingReader.open(bad); Replayer replayer = new Replayer(r, null)) {
            replayer.setStallTimeout(300_000_000L);
            Replayer.Result res = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                    replayer::run);
            assertEquals(Replayer.Outcome.DIVERGED, res.outcome());
            String why = res.divergence().describe();
            assertTrue(why.contains("no progress") || why.contains("without passing that state"), why);
        }
    }
}
