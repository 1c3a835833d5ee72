package io.lore.replay.travel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.log.Codec;
import io.lore.log.Event;
import io.lore.log.RecordingReader;
import io.lore.log.StatePoint;
import io.lore.machine.MachineConfig;
import io.lore.machine.PageWalker;
import io.lore.replay.GuestSymbols;
import io.lore.replay.RecordSession;
import io.lore.replay.ReplayCursor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The time-travel engine on real recordings: the semantics the debugger relies on. */
class TimeTravelTest {
    @TempDir
    Path dir;

    private RecordingReader record(String guest) throws Exception {
        Path file = dir.resolve(guest + ".lore");
        RecordSession.Result r = new RecordSession(MachineConfig.of(GuestSymbols.guest(guest))
                .withTimeLimit(Duration.ofSeconds(60)), file, Codec.ZSTD).run(new ByteArrayOutputStream(), null);
        assertNotNull(r);
        return RecordingReader.open(file);
    }

    private static long firstPositionedInterrupt(TimeTravel t, int skip) {
        long n = t.cursor().eventCount();
        List<Event> all = t.cursor().events(0, (int) n);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) instanceof Event.Interrupt in && in.at() != null && skip-- == 0) {
                return i;
            }
        }
        throw new AssertionError("no state-positioned interrupt in the recording");
    }

    @Test
    void reverseStepsRetraceForwardStepsAcrossAnInterruptAndPositionsAreCanonical() throws Exception {
        try (RecordingReader rec = record("spin.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            long event = firstPositionedInterrupt(t, 1);
            t.seekEvent(event);
            // a few instants before the delivery, so the steps below cross it
            for (int i = 0; i < 5; i++) {
                expect(Motion.Kind.STEP, t.stepBackward());
            }
            int n = 40;
            List<StatePoint> states = new ArrayList<>();
            List<Position> positions = new ArrayList<>();
            for (int i = 0; i <= n; i++) {
                states.add(t.cursor().state());
                positions.add(t.position());
                if (i < n) {
                    expect(Motion.Kind.STEP, t.stepForward());
                }
            }
            assertTrue(t.cursor().eventIndex() > event, "the steps crossed the interrupt's delivery");
            for (int i = n; i > 0; i--) {
                expect(Motion.Kind.STEP, t.stepBackward());
                StatePoint s = t.cursor().state();
                assertTrue(states.get(i - 1).registersMatch(s.regs()), "registers after reverse step to " + (i - 1));
                assertEquals(states.get(i - 1).memoryHash(), s.memoryHash(), "memory after reverse step to " + (i - 1));
                assertEquals(positions.get(i - 1), t.position(), "the same instant has the same position");
            }
            for (int i = 1; i <= n; i++) {
                t.stepForward();
                assertTrue(states.get(i).registersMatch(t.cursor().state().regs()), "forward again to " + i);
            }
            assertEquals(positions.get(n), t.position());
        }
    }

    @Test
    void reverseContinueFindsThePreviousBreakpointHitAndStopsAtTheStart() throws Exception {
        try (RecordingReader rec = record("spin.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            long irq = GuestSymbols.of("spin.elf").address("pit_tick_handler");
            t.addBreakpoint(irq);
            List<Position> hits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Motion m = t.continueForward();
                assertEquals(Motion.Kind.BREAKPOINT, m.kind());
                assertEquals(irq, m.address());
                hits.add(t.position());
            }
            assertEquals(3, hits.stream().distinct().count());
            expect(Motion.Kind.BREAKPOINT, t.continueBackward());
            assertEquals(hits.get(1), t.position());
            expect(Motion.Kind.BREAKPOINT, t.continueBackward());
            assertEquals(hits.get(0), t.position());
            expect(Motion.Kind.BEGIN, t.continueBackward());
            assertEquals(Position.anchor(0), t.position());
            expect(Motion.Kind.BEGIN, t.stepBackward());
            t.removeBreakpoint(irq);
            expect(Motion.Kind.END, t.continueForward());
            expect(Motion.Kind.END, t.stepForward());
        }
    }

    @Test
    void reverseWatchpointStopsBeforeTheWriteThatCorruptedTheDemo() throws Exception {
        GuestSymbols sym = GuestSymbols.of("demo.elf");
        long magic = sym.address("ring_ctl");
        try (RecordingReader rec = record("demo.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            expect(Motion.Kind.END, t.continueForward());
            assertNotEquals(0x52494e47, readInt(t, magic), "the bug corrupted the magic by the end");
            assertTrue(t.addWatchpoint(StopSet.Access.WRITE, magic, 4));
            Motion m = t.continueBackward();
            assertEquals(Motion.Kind.WATCHPOINT, m.kind());
            assertEquals(magic, m.address());
            long rip = t.cursor().machine().vcpu().getRegs().rip();
            assertEquals("stats_note_record", sym.functionAt(rip), "stopped in the culprit, not in the checker");
            assertEquals(0x52494e47, readInt(t, magic), "before the write: the magic is still intact");
            t.clearStops();
            expect(Motion.Kind.STEP, t.stepForward());
            assertEquals(0x52494e48, readInt(t, magic), "the write: kind_count[3]++ hits the magic");
        }
    }

    @Test
    void aRecordingWithTscValuesIsRefusedInOneLine() throws Exception {
        Path plain;
        try (RecordingReader rec = record("hello.elf")) {
            plain = rec.path();
        }
        Path withTsc = dir.resolve("tsc.lore");
        Path cut = dir.resolve("tsc-cut.lore");
        io.lore.replay.LogSurgery.rewrite(plain, withTsc, e -> e instanceof Event.PioOut p ? new Event.Tsc(p.ordinal(), 42, 0x100000) : null);
        io.lore.replay.LogSurgery.truncateAfterEvents(withTsc, cut, 1000); // no footer: the events themselves tell
        try (RecordingReader rec = RecordingReader.open(cut)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new TimeTravel(rec, 0));
            assertTrue(e.getMessage().contains("TSC") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /**
     * A single step over HLT makes the recorded HLT exit (this host's KVM ends it with a debug
     * exit instead): reverse-stepi from the anchor of a HLT exit, as after an interrupted
     * reverse-continue that restored a checkpoint there, once single-stepped without end.
     */
    @Test
    void singleStepsCrossAHaltExit() throws Exception {
        try (RecordingReader rec = record("demo.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            List<Event> all = t.cursor().events(0, (int) t.cursor().eventCount());
            long h = -1; // a HLT exit with no interrupt between it and the exit before
            for (int i = 1; i < all.size() && h < 0; i++) {
                Event e = all.get(i);
                Event before = all.get(i - 1);
                if (e instanceof Event.Halt && before.ordinal() == e.ordinal() - 1 && !(before instanceof Event.Interrupt)) {
                    h = e.ordinal();
                }
            }
            assertTrue(h > 0, "the demo halts");
            t.seek(Position.anchor(h - 1));
            for (int i = 0; i < 100_000 && t.cursor().exit() < h; i++) {
                expect(Motion.Kind.STEP, t.stepForward());
            }
            assertEquals(h, t.cursor().exit(), "single steps reach HLT exit " + h);
            assertEquals(Position.anchor(h), t.position());
            t.seek(Position.anchor(h));
            expect(Motion.Kind.STEP, t.stepBackward());
            assertEquals(h - 1, t.cursor().exit());
            expect(Motion.Kind.STEP, t.stepForward());
            assertEquals(Position.anchor(h), t.position(), "and back to it");
        }
    }

    /**
     * A single step of an instruction that raises an exception ends at the handler's first
     * instruction (this host's KVM would end it one instruction into the handler), the instant a
     * breakpoint there stops at too: stepping, reverse stepping and breakpoints name the same
     * instants.
     */
    @Test
    void aStepIntoAnExceptionStopsAtItsHandlersFirstInstruction() throws Exception {
        try (RecordingReader rec = record("fault.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            GuestSymbols sym = GuestSymbols.of("fault.elf");
            long site = sym.address("ud_site");
            long entry = sym.address("trap_stubs") + 16 * 6; // the #UD stub (guests/lib/trapentry.S)
            t.addBreakpoint(site);
            expect(Motion.Kind.BREAKPOINT, t.continueForward());
            assertEquals(site, t.position().rip());
            t.removeBreakpoint(site);
            Position atSite = t.position();
            expect(Motion.Kind.STEP, t.stepForward());
            assertEquals(entry, t.position().rip(), "the step into #UD stops at the handler's first instruction");
            Position atEntry = t.position();
            expect(Motion.Kind.STEP, t.stepForward());
            assertTrue(t.position().rip() != entry, "and the next step leaves it");
            expect(Motion.Kind.STEP, t.stepBackward());
            assertEquals(atEntry, t.position(), "reverse-stepi comes back to the handler's entry");
            expect(Motion.Kind.STEP, t.stepBackward());
            assertEquals(atSite, t.position(), "and then to the faulting instruction");
            t.seek(Position.anchor(0));
            t.addBreakpoint(entry);
            expect(Motion.Kind.BREAKPOINT, t.continueForward());
            assertEquals(atEntry, t.position(), "a breakpoint at the entry stops at the same instant");
            // continuing from a breakpoint on a faulting instruction steps over it: the frame the
            // fault pushed must not keep the step's trap flag, or the guest traps after its IRET
            t.removeBreakpoint(entry);
            t.addBreakpoint(site);
            for (int round = 2; round <= 3; round++) {
                expect(Motion.Kind.BREAKPOINT, t.continueForward());
                assertEquals(site, t.position().rip(), "#UD " + round);
            }
            t.removeBreakpoint(site);
            expect(Motion.Kind.END, t.continueForward());
        }
    }

    /**
     * Ctrl-C whose kick is already pending when the cursor enters KVM_RUN: KVM returns before the
     * guest runs, so the cursor is still at its anchor, and says so (it once went on as if the
     * guest had run, and the position could not be found again).
     */
    @Test
    void aStopBeforeTheGuestRunsKeepsTheInstant() throws Exception {
        try (RecordingReader rec = record("demo.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            long k = seekToAnchorWhere(t, false);
            ReplayCursor c = t.cursor();
            StatePoint before = c.state();
            assertEquals(ReplayCursor.Stop.STOPPED, c.run(stopOnFirstQuestion(c)));
            assertTrue(c.atAnchor(), "still at the anchor");
            assertTrue(c.stateEquals(before), "nothing ran");
            assertEquals(Position.anchor(k), t.position());
        }
    }

    /**
     * Ctrl-C right after an interrupt was injected at an anchor, before KVM delivered it: that
     * moment has no name GDB could use and no checkpoint could keep (KVM holds the injection),
     * so the cursor delivers it and stops at the handler's first instruction.
     */
    @Test
    void aStopBetweenInjectionAndDeliveryStopsAtTheHandler() throws Exception {
        try (RecordingReader rec = record("demo.elf"); TimeTravel t = new TimeTravel(rec, 0)) {
            long k = seekToAnchorWhere(t, true);
            ReplayCursor c = t.cursor();
            long events = c.eventIndex();
            int vector = ((Event.Interrupt) c.nextEvent()).vector();
            assertEquals(ReplayCursor.Stop.STOPPED, c.run(stopOnFirstQuestion(c)));
            assertTrue(c.eventIndex() > events, "the interrupt was injected");
            assertEquals(0, c.machine().vcpu().getVcpuEvents()[8], "and delivered (kvm_vcpu_events.interrupt.injected)");
            assertEquals(k, c.exit());
            assertTrue(!c.atAnchor());
            assertEquals(Long.toHexString(io.lore.machine.Idt.handler(c.machine().memory(), c.machine().vcpu().getSregs(), vector)), Long.toHexString(c.machine().vcpu().getRegs().rip()),
                    "at the handler's first instruction");
        }
    }

    /** Goes to the first anchor after exit 100 with (or without) an interrupt injected right there; returns it. */
    private static long seekToAnchorWhere(TimeTravel t, boolean interruptThere) {
        List<Event> all = t.cursor().events(0, (int) t.cursor().eventCount());
        java.util.Set<Long> withInterrupt = new java.util.HashSet<>();
        long last = 0;
        for (Event e : all) {
            if (e instanceof Event.Interrupt i && i.at() == null) {
                withInterrupt.add(i.ordinal());
            }
            last = Math.max(last, e.ordinal());
        }
        for (long k = 100; k < last; k++) {
            if (withInterrupt.contains(k) == interruptThere) {
                t.seek(Position.anchor(k));
                return k;
            }
        }
        throw new AssertionError("no such anchor in the demo");
    }

    /** A goal that requests a stop the first time the cursor asks it anything before a run. */
    private static ReplayCursor.Goal stopOnFirstQuestion(ReplayCursor c) {
        return new ReplayCursor.Goal() {
            private boolean asked;

            @Override
            public long[] breakpoints() {
                if (!asked) {
                    asked = true;
                    c.requestStop();
                }
                return new long[0];
            }
        };
    }

    /** Asserts the kind of a move, showing a divergence report if the replay left the recording. */
    private static Motion expect(Motion.Kind kind, Motion m) {
        assertEquals(kind, m.kind(), () -> m.divergence() == null ? "" : m.divergence().describe());
        return m;
    }

    private static int readInt(TimeTravel t, long va) {
        byte[] b = PageWalker.readVirtual(t.cursor().machine().memory(), t.cursor().machine().vcpu().getSregs(), va, 4);
        assertNotNull(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
