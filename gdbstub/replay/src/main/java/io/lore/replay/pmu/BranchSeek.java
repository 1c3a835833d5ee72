package io.lore.replay.pmu;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The decision logic of replaying to one recorded asynchronous-event position, LoRe style: the
 * target is the instruction at RIP {@code R} reached when the guest branch counter read
 * {@code B}, confirmed by the recorded StatePoint. Pure: the caller runs the vCPU, reports what
 * it sees as an {@link Observation}, and does what the returned {@link Action} says, until
 * {@link Arrived} or {@link Overshot}.
 *
 * <ol>
 * <li>Far away ({@code c < B - margin}): run with the counter set to overflow at
 *     {@code B - margin}. The overflow is observed up to {@code maxSkid} branches late; since
 *     {@code margin > maxSkid}, the guest then stands at most at {@code B - 1}, still before
 *     the target.
 * <li>Near ({@code B - margin <= c <= B}): a breakpoint at {@code R}; each hit with
 *     {@code c < B} is an earlier pass of a loop through {@code R}: resume.
 * <li>At {@code c == B, rip == R}: compare the StatePoint. Equal: arrived. Different: this is
 *     an earlier pass of a loop that contains no conditional branch (e.g. {@code jmp} back),
 *     so resume; the machine is deterministic, so the recorded pass comes later with the same
 *     count or never.
 * <li>{@code c > B}: overshot. Right after an overflow run (or after a skid larger than
 *     {@code maxSkid} was observed) the skid model failed, which is a retry with a larger margin
 *     from an earlier snapshot (rr sees this on AMD); otherwise the target was never reached, a
 *     divergence.
 * </ol>
 * When breakpoints cannot be used at the target (the caller knows: e.g. guest CPL3 on a host
 * whose KVM cannot debug it), the near phase single-steps instead.
 *
 * <p>{@code B} and the counts observed must be in the same frame, e.g. both read from a counter
 * reset once when the vCPU started, in record and in replay alike.
 */
public final class BranchSeek {
    /** The recorded position: branch count and RIP at the asynchronous injection. RIP is any 64-bit value. */
    public record Target(long branches, long rip) {
        public Target {
            if (branches < 0) {
                throw new IllegalArgumentException("target branch count must be >= 0: " + branches);
            }
        }
    }

    /**
     * Where the stopped vCPU is. {@code stateMatches} compares the full state with the recorded
     * StatePoint; it is only called at {@code (B, R)}, so an expensive digest is computed there
     * and nowhere else.
     */
    public record Observation(long branches, long rip, BooleanSupplier stateMatches) {
        public Observation {
            if (branches < 0) {
                throw new IllegalArgumentException("observed branch count must be >= 0: " + branches);
            }
            Objects.requireNonNull(stateMatches, "stateMatches");
        }

        public static Observation of(long branches, long rip, boolean stateMatches) {
            return new Observation(branches, rip, () -> stateMatches);
        }
    }

    public enum Kind { RUN_WITH_OVERFLOW, ARM_BREAKPOINT_AT, RESUME_TO_BREAKPOINT, SINGLE_STEP, ARRIVED, OVERSHOT }

    public sealed interface Action permits RunWithOverflow, ArmBreakpointAt, ResumeToBreakpoint, SingleStep,
            Arrived, Overshot {
        Kind kind();

        default boolean done() {
            return kind() == Kind.ARRIVED || kind() == Kind.OVERSHOT;
        }
    }

    /**
     * Arm the counter to overflow {@code period} branches from now (= at count
     * {@code overflowAt}), then run until KVM_RUN returns (overflow signal or any other exit).
     */
    public record RunWithOverflow(long period, long overflowAt) implements Action {
        public Kind kind() {
            return Kind.RUN_WITH_OVERFLOW;
        }
    }

    /** Disarm the overflow, set a hardware breakpoint at {@code rip}, run (stepping over {@code rip} if there). */
    public record ArmBreakpointAt(long rip) implements Action {
        public Kind kind() {
            return Kind.ARM_BREAKPOINT_AT;
        }
    }

    /** The breakpoint at {@code rip} is armed: step over the current instruction if at it, run on. */
    public record ResumeToBreakpoint(long rip) implements Action {
        public Kind kind() {
            return Kind.RESUME_TO_BREAKPOINT;
        }
    }

    /** Execute one guest instruction (overflow disarmed). */
    public record SingleStep() implements Action {
        public Kind kind() {
            return Kind.SINGLE_STEP;
        }
    }

    /** The vCPU stands at the recorded position, state verified: inject here. Remove the breakpoint. */
    public record Arrived(long branches, long rip) implements Action {
        public Kind kind() {
            return Kind.ARRIVED;
        }
    }

    public enum Cause {
        /** The overflow came later than maxSkid allowed; retry from an earlier snapshot with a larger margin. */
        SKID,
        /** The count went past B without the recorded state at R: replay diverged from the recording. */
        DIVERGED
    }

    /**
     * The count passed the target. {@code passesAtTarget} counts the stops at (B, R) whose state
     * did not match, which tells "reached R but memory/registers differ" from "never reached R".
     */
    public record Overshot(long targetBranches, long observedBranches, Cause cause, long passesAtTarget)
            implements Action {
        public Kind kind() {
            return Kind.OVERSHOT;
        }

        public String message() {
            return (cause == Cause.SKID ? "overflow skid exceeded the margin" : "replay diverged")
                    + ": target branch count " + targetBranches + ", observed " + observedBranches
                    + (passesAtTarget > 0 ? " (" + passesAtTarget + " stops at the target count and RIP had a different state)"
                            : "");
        }
    }

    private final Target target;
    private final long maxSkid;
    private final long margin;
    private final boolean breakpointsUsable;

    private long lastBranches = -1;
    private Action last;
    private boolean breakpointArmed;
    private boolean skidExceeded;
    private long observedSkid = -1;
    private long breakpointHits;
    private long passesAtTarget;

    /**
     * @param maxSkid how many branches late an overflow may be observed (>= 0)
     * @param margin how far before the target to overflow; must exceed {@code maxSkid}
     * @param breakpointsUsable false to single-step the near phase instead
     */
    public BranchSeek(Target target, long maxSkid, long margin, boolean breakpointsUsable) {
        this.target = Objects.requireNonNull(target, "target");
        if (maxSkid < 0) {
            throw new IllegalArgumentException("maxSkid must be >= 0: " + maxSkid);
        }
        if (margin <= maxSkid) {
            throw new IllegalArgumentException("margin " + margin + " must exceed maxSkid " + maxSkid
                    + ", or an overflow observed late could already be past the target");
        }
        this.maxSkid = maxSkid;
        this.margin = margin;
        this.breakpointsUsable = breakpointsUsable;
    }

    /** With the event's skid and margin, breakpoints in the near phase. */
    public static BranchSeek forEvent(Target target, BranchEvent event) {
        return new BranchSeek(target, event.maxSkid(), event.margin(), true);
    }

    public Action next(Observation o) {
        Objects.requireNonNull(o, "observation");
        if (last != null && last.done()) {
            throw new IllegalStateException("seek already finished: " + last);
        }
        long c = o.branches();
        if (c < lastBranches) {
            throw new IllegalArgumentException("branch count went backwards: " + lastBranches + " then " + c);
        }
        lastBranches = c;
        if (last instanceof RunWithOverflow run && c >= run.overflowAt()) {
            long skid = c - run.overflowAt(); // below overflowAt the stop had another cause
            observedSkid = Math.max(observedSkid, skid);
            skidExceeded |= skid > maxSkid;
        }
        long b = target.branches();
        boolean atRip = o.rip() == target.rip();
        if (breakpointArmed && atRip) {
            breakpointHits++;
        }
        Action a;
        if (c > b) {
            Cause cause = last instanceof RunWithOverflow || skidExceeded ? Cause.SKID : Cause.DIVERGED;
            a = new Overshot(b, c, cause, passesAtTarget);
        } else if (c == b && atRip && o.stateMatches().getAsBoolean()) {
            a = new Arrived(c, o.rip());
        } else {
            if (c == b && atRip) {
                passesAtTarget++;
            }
            if (c < b - margin) {
                a = new RunWithOverflow(b - margin - c, b - margin);
            } else if (!breakpointsUsable) {
                a = new SingleStep();
            } else if (!breakpointArmed) {
                breakpointArmed = true;
                a = new ArmBreakpointAt(target.rip());
            } else {
                a = new ResumeToBreakpoint(target.rip());
            }
        }
        last = a;
        return a;
    }

    public Target target() {
        return target;
    }

    public long margin() {
        return margin;
    }

    public long maxSkid() {
        return maxSkid;
    }

    /** Largest skid seen after an overflow run, or -1 if none was measured (for tuning margins). */
    public long observedSkid() {
        return observedSkid;
    }

    /** Stops at R while the breakpoint was armed (loop passes included). */
    public long breakpointHits() {
        return breakpointHits;
    }

    /** Stops at (B, R) whose state did not match. */
    public long passesAtTarget() {
        return passesAtTarget;
    }

    /** The last action returned, or null before the first observation. */
    public Action lastAction() {
        return last;
    }
}
