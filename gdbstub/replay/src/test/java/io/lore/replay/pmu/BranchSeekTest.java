package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.replay.pmu.BranchSeek.Action;
import io.lore.replay.pmu.BranchSeek.ArmBreakpointAt;
import io.lore.replay.pmu.BranchSeek.Arrived;
import io.lore.replay.pmu.BranchSeek.Cause;
import io.lore.replay.pmu.BranchSeek.Kind;
import io.lore.replay.pmu.BranchSeek.Observation;
import io.lore.replay.pmu.BranchSeek.Overshot;
import io.lore.replay.pmu.BranchSeek.ResumeToBreakpoint;
import io.lore.replay.pmu.BranchSeek.RunWithOverflow;
import io.lore.replay.pmu.BranchSeek.SingleStep;
import io.lore.replay.pmu.BranchSeek.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BranchSeekTest {
    static final long R = 0x2000;
    static final long B = 10_000;
    static final long SKID = 100;
    static final long MARGIN = 132;

    static BranchSeek seek() {
        return new BranchSeek(new Target(B, R), SKID, MARGIN, true);
    }

    static Observation at(long count, long rip) {
        return Observation.of(count, rip, false);
    }

    // ---- validation ----

    @Test
    void marginMustExceedMaxSkid() {
        Target t = new Target(B, R);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BranchSeek(t, 100, 100, true));
        assertTrue(e.getMessage().contains("margin 100 must exceed maxSkid 100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BranchSeek(t, 100, 50, true));
        assertThrows(IllegalArgumentException.class, () -> new BranchSeek(t, -1, 10, true));
        assertThrows(IllegalArgumentException.class, () -> new BranchSeek(t, 0, 0, true));
        assertThrows(NullPointerException.class, () -> new BranchSeek(null, 0, 1, true));
        new BranchSeek(t, 0, 1, true); // smallest valid: exact counter, overflow one branch early
    }

    @Test
    void negativeAndInvalidInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Target(-1, R));
        assertThrows(IllegalArgumentException.class, () -> Observation.of(-5, R, true));
        assertThrows(NullPointerException.class, () -> new Observation(1, R, null));
        assertThrows(NullPointerException.class, () -> seek().next(null));
        BranchSeek s = seek();
        s.next(at(500, 0x1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.next(at(499, 0x1000)));
        assertTrue(e.getMessage().contains("went backwards: 500 then 499"), e.getMessage());
    }

    @Test
    void ripIsAny64BitValue() {
        long kernelRip = 0xffffffff81000000L; // negative as a Java long
        BranchSeek s = new BranchSeek(new Target(5, kernelRip), 0, 1, true);
        assertEquals(new ArmBreakpointAt(kernelRip), s.next(at(4, 0x10)));
        assertEquals(new Arrived(5, kernelRip), s.next(Observation.of(5, kernelRip, true)));
    }

    @Test
    void forEventUsesTheEventsSkidAndMargin() {
        BranchSeek s = BranchSeek.forEvent(new Target(B, R), BranchEvent.AMD_ZEN);
        assertEquals(10_000, s.maxSkid());
        assertEquals(10_032, s.margin());
        assertEquals(new ArmBreakpointAt(R), s.next(at(0, 0)), "B < margin: breakpoint from the start");
    }

    // ---- far / near / exact / overshoot ----

    @Test
    void farAwayRunsWithOverflowAtTargetMinusMargin() {
        BranchSeek s = seek();
        Action a = s.next(at(0, 0x1000));
        assertEquals(new RunWithOverflow(B - MARGIN, B - MARGIN), a);
        assertEquals(Kind.RUN_WITH_OVERFLOW, a.kind());
        assertFalse(a.done());
        // Stopped early by some other exit: run again, with the remaining distance.
        assertEquals(new RunWithOverflow(B - MARGIN - 3000, B - MARGIN), s.next(at(3000, 0x1234)));
        assertEquals(-1, s.observedSkid(), "stopping before the overflow point measures no skid");
        assertEquals(new RunWithOverflow(1, B - MARGIN), s.next(at(B - MARGIN - 1, 0x1234)));
    }

    @Test
    void nearArmsTheBreakpointOnceThenResumes() {
        BranchSeek s = seek();
        s.next(at(0, 0x1000));
        assertEquals(new ArmBreakpointAt(R), s.next(at(B - MARGIN, 0x1000)), "overflow with zero skid");
        assertEquals(0, s.observedSkid());
        assertEquals(new ResumeToBreakpoint(R), s.next(at(B - 50, R)));
        assertEquals(new ResumeToBreakpoint(R), s.next(at(B - 1, R)));
        assertEquals(new ResumeToBreakpoint(R), s.next(at(B, 0x3000)), "count B reached before R: R comes next");
        Action a = s.next(Observation.of(B, R, true));
        assertEquals(new Arrived(B, R), a);
        assertTrue(a.done());
        assertEquals(3, s.breakpointHits(), "B-50, B-1 and the arrival");
        assertThrows(IllegalStateException.class, () -> s.next(at(B, R)), "finished");
    }

    @Test
    void exactOnTheFirstObservation() {
        BranchSeek s = seek();
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
        BranchSeek zero = new BranchSeek(new Target(0, R), 0, 1, true);
        assertEquals(new Arrived(0, R), zero.next(Observation.of(0, R, true)));
    }

    @Test
    void startingPastTheTargetIsADivergence() {
        Action a = seek().next(at(B + 1, R));
        Overshot o = assertInstanceOf(Overshot.class, a);
        assertEquals(Cause.DIVERGED, o.cause());
        assertEquals("replay diverged: target branch count 10000, observed 10001", o.message());
    }

    @Test
    void passingTheTargetInTheBreakpointPhaseIsADivergenceWithBothCounts() {
        BranchSeek s = seek();
        s.next(at(B - 10, 0x1000));
        s.next(at(B, R)); // state differs
        Overshot o = assertInstanceOf(Overshot.class, s.next(at(B + 2, R)));
        assertEquals(new Overshot(B, B + 2, Cause.DIVERGED, 1), o);
        assertEquals("replay diverged: target branch count 10000, observed 10002 (1 stops at the target count and "
                + "RIP had a different state)", o.message());
        assertTrue(o.done());
    }

    // ---- loops through R ----

    @Test
    void tightLoopPassesRManyTimesWithSmallerCounts() {
        BranchSeek s = seek();
        s.next(at(B - MARGIN + 7, 0x1000)); // arm
        for (long c = B - MARGIN + 8; c < B; c++) { // one conditional branch per iteration
            assertEquals(new ResumeToBreakpoint(R), s.next(at(c, R)));
        }
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
        assertEquals(MARGIN - 8 + 1, s.breakpointHits());
        assertEquals(0, s.passesAtTarget());
    }

    @Test
    void loopWithoutConditionalBranchesPassesRAtTheSameCount() {
        // e.g. "1: add rax, 8; mov [rax], rbx; jmp 1b" with R = the add: count stays B, state changes.
        BranchSeek s = seek();
        s.next(at(B - 1, 0x1000));
        AtomicInteger compared = new AtomicInteger();
        for (int pass = 0; pass < 5; pass++) {
            assertEquals(new ResumeToBreakpoint(R), s.next(new Observation(B, R, () -> {
                compared.incrementAndGet();
                return false;
            })));
        }
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
        assertEquals(5, compared.get());
        assertEquals(5, s.passesAtTarget());
    }

    @Test
    void stateIsComparedOnlyAtTheTargetCountAndRip() {
        BranchSeek s = seek();
        AtomicInteger compared = new AtomicInteger();
        long[][] stops = {{0, R}, {B - MARGIN, 0x1000}, {B - 5, R}, {B, 0x3000}, {B, R + 1}};
        for (long[] stop : stops) {
            s.next(new Observation(stop[0], stop[1], () -> {
                compared.incrementAndGet();
                return true;
            }));
        }
        assertEquals(0, compared.get());
        s.next(new Observation(B, R, () -> compared.incrementAndGet() > 0));
        assertEquals(1, compared.get());
    }

    // ---- skid ----

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 50, 99, 100})
    void skidUpToMaxSkidStopsBeforeTheTarget(long skid) {
        BranchSeek s = seek();
        RunWithOverflow run = (RunWithOverflow) s.next(at(0, 0x1000));
        long c = run.overflowAt() + skid;
        assertTrue(c < B);
        assertEquals(new ArmBreakpointAt(R), s.next(at(c, 0x1000)));
        assertEquals(skid, s.observedSkid());
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 120, 131})
    void skidAboveMaxSkidButInsideTheMarginStillWorksAndIsRecorded(long skid) {
        BranchSeek s = seek();
        s.next(at(0, 0x1000));
        assertEquals(new ArmBreakpointAt(R), s.next(at(B - MARGIN + skid, 0x1000)));
        assertEquals(skid, s.observedSkid(), "reported so margins can be tuned on real hardware");
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
    }

    @Test
    void skidEqualToTheMarginCanMissTheTargetAndIsBlamedOnSkid() {
        // Why margin must exceed the skid: at count B the guest may already be past R.
        BranchSeek s = seek();
        s.next(at(0, 0x1000));
        assertEquals(new ArmBreakpointAt(R), s.next(at(B, 0x2100)));
        Overshot o = assertInstanceOf(Overshot.class, s.next(at(B + 1, R)));
        assertEquals(Cause.SKID, o.cause(), "an observed skid above maxSkid explains the miss");
        assertTrue(o.message().startsWith("overflow skid exceeded the margin: target branch count 10000, observed 10001"));
    }

    @Test
    void skidBeyondTheMarginOvershootsAndAsksForARetry() {
        BranchSeek s = seek();
        s.next(at(0, 0x1000));
        Overshot o = assertInstanceOf(Overshot.class, s.next(at(B + 40, 0x1000)));
        assertEquals(new Overshot(B, B + 40, Cause.SKID, 0), o);
        assertEquals(MARGIN + 40, s.observedSkid());
    }

    // ---- breakpoints unusable ----

    @Test
    void withoutBreakpointsTheNearPhaseSingleSteps() {
        BranchSeek s = new BranchSeek(new Target(B, R), SKID, MARGIN, false);
        assertInstanceOf(RunWithOverflow.class, s.next(at(0, 0x1000)));
        assertEquals(new SingleStep(), s.next(at(B - 100, 0x1000)));
        assertEquals(Kind.SINGLE_STEP, s.next(at(B - 100, 0x1004)).kind());
        assertEquals(new SingleStep(), s.next(at(B, R)), "wrong state at (B, R): keep stepping");
        assertEquals(new Arrived(B, R), s.next(Observation.of(B, R, true)));
        assertEquals(0, s.breakpointHits());
    }

    // ---- end to end against a simulated deterministic guest ----

    /** A dynamic instruction trace: rip of each executed instruction, and whether it is a Jcc. */
    static final class Trace {
        static final int TAIL = 8;
        final List<Long> rips = new ArrayList<>();
        final List<Boolean> jcc = new ArrayList<>();
        final List<Long> countBefore = new ArrayList<>(); // branches retired before instruction i
        long count;

        void add(long rip, boolean isJcc) {
            rips.add(rip);
            jcc.add(isJcc);
            countBefore.add(count);
            if (isJcc) {
                count++;
            }
        }

        int size() {
            return rips.size();
        }

        /** Straight code, a Jcc loop through R-like addresses, and a jmp-only loop, repeated. */
        static Trace build(Random rnd) {
            Trace t = new Trace();
            for (int outer = 0; outer < 40; outer++) {
                for (int i = 0; i < 20; i++) {
                    t.add(0x1000 + 4L * i, i % 3 == 0);
                }
                int iterations = 1 + rnd.nextInt(60);
                for (int k = 0; k < iterations; k++) { // 2000: add; 2004: cmp; 2008: jnz 2000
                    t.add(0x2000, false);
                    t.add(0x2004, false);
                    t.add(0x2008, true);
                }
                int spins = rnd.nextInt(6);
                for (int k = 0; k < spins; k++) { // 3000: add; 3004: jmp 3000 (no Jcc)
                    t.add(0x3000, false);
                    t.add(0x3004, false);
                }
            }
            for (int i = 0; i < TAIL; i++) { // later code, so passing any target ends in a higher count
                t.add(0x5000 + 4L * i, true);
            }
            return t;
        }
    }

    /** Executes seek actions on the trace, with a random skid in [0, skidMax] after each overflow. */
    static Action drive(Trace t, int targetIndex, long maxSkid, long margin, long skidMax, boolean breakpoints,
            Random rnd, int[] arrivedAt) {
        Target target = new Target(t.countBefore.get(targetIndex), t.rips.get(targetIndex));
        BranchSeek s = new BranchSeek(target, maxSkid, margin, breakpoints);
        int pc = 0; // the next instruction to execute; the vCPU "stands at" pc
        int last = t.size() - 1;
        for (int steps = 0; steps < 100_000; steps++) {
            final int here = pc;
            Action a = s.next(new Observation(t.countBefore.get(pc), t.rips.get(pc), () -> here == targetIndex));
            if (a instanceof Arrived) {
                arrivedAt[0] = pc;
                return a;
            }
            if (a instanceof Overshot) {
                return a;
            }
            if (a instanceof RunWithOverflow run) {
                long skid = rnd.nextInt((int) skidMax + 1);
                // run until overflowAt + skid branches have retired, stopping at a random point before the next
                while (pc < last && t.countBefore.get(pc) < run.overflowAt() + skid) {
                    pc++;
                }
                while (pc < last && !t.jcc.get(pc) && rnd.nextBoolean()) {
                    pc++;
                }
            } else if (a instanceof ArmBreakpointAt || a instanceof ResumeToBreakpoint) {
                long bp = target.rip();
                if (pc < last) {
                    pc++; // step over the instruction we stand on
                }
                while (pc < last && t.rips.get(pc) != bp) {
                    pc++;
                }
            } else if (a instanceof SingleStep) {
                if (pc < last) {
                    pc++;
                }
            }
        }
        throw new AssertionError("seek did not finish");
    }

    @Test
    void simulatedGuestAlwaysArrivesAtTheRecordedInstanceWhenSkidIsWithinBounds() {
        Random rnd = new Random(20240611);
        Trace t = Trace.build(rnd);
        int arrivals = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int target = rnd.nextInt(t.size() - Trace.TAIL);
            boolean breakpoints = trial % 4 != 0;
            int[] arrivedAt = {-1};
            Action a = drive(t, target, 12, 13 + rnd.nextInt(20), 12, breakpoints, rnd, arrivedAt);
            assertInstanceOf(Arrived.class, a, "trial " + trial + " target " + target + ": " + a);
            assertEquals(target, arrivedAt[0]);
            arrivals++;
        }
        assertEquals(2000, arrivals);
    }

    @Test
    void simulatedGuestWithExcessiveSkidNeverArrivesWrongly() {
        Random rnd = new Random(7);
        Trace t = Trace.build(rnd);
        int skidFailures = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int target = rnd.nextInt(t.size() - Trace.TAIL);
            int[] arrivedAt = {-1};
            Action a = drive(t, target, 5, 6, 60, true, rnd, arrivedAt); // real skid up to 60 > margin
            if (a instanceof Arrived) {
                assertEquals(target, arrivedAt[0]);
            } else {
                Overshot o = assertInstanceOf(Overshot.class, a);
                assertEquals(Cause.SKID, o.cause(), o.message());
                skidFailures++;
            }
        }
        assertTrue(skidFailures > 0, "the excessive skid was exercised");
    }

    @Test
    void lastActionAndAccessors() {
        BranchSeek s = seek();
        assertNull(s.lastAction());
        Action a = s.next(at(0, 0));
        assertEquals(a, s.lastAction());
        assertEquals(new Target(B, R), s.target());
    }
}
