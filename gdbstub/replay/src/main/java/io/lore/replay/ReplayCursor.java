package io.lore.replay;

import io.lore.kvm.ExitReason;
import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.RunArea;
import io.lore.log.Event;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.log.StatePoint;
import io.lore.machine.Machine;
import io.lore.machine.MachineConfig;
import io.lore.replay.checkpoint.DirtyPageTracker;
import io.lore.replay.checkpoint.VcpuState;
import io.lore.replay.pmu.GuestBranchCounter;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A replay that can be driven: run until a goal says stop, or step one instant. It replays
 * without device models — every synchronous exit is checked against the next logged event and
 * fed the logged data; each interrupt is injected where it was recorded (right at its exit, or
 * at the first point after it whose full state matches, found with a hardware breakpoint at the
 * recorded RIP); digests are compared. The first mismatch throws a {@link DivergenceException}.
 *
 * <p>Instants. The guest "arrives" at an instruction address each time it is about to execute
 * the instruction there: a hardware breakpoint fires and a single step ends at exactly these
 * points, and so does the delivery of an injected interrupt (at the handler's first
 * instruction). After exit {@code k} has been serviced (the exiting instruction completed) the
 * machine is at <em>anchor</em> {@code k}; the anchor instant itself is not an arrival. These
 * rules make every way of moving see the same sequence of instants.
 *
 * <p>Breakpoints use the debug registers (slot 0 finds a state-positioned interrupt); those that
 * do not fit are checked by single-stepping. Watchpoints use holes in guest RAM: accesses to a
 * trapped page exit as MMIO, are served from guest memory here, and stop the run when they
 * touch a watched range (after the accessing instruction).
 *
 * <p>Use from one thread (the one that constructed it), except {@link #requestStop()}.
 */
public final class ReplayCursor implements AutoCloseable {
    /** Why {@link #run} or {@link #step} returned. */
    public enum Stop {
        /** The goal asked to stop at an anchor. */
        ANCHOR,
        /** At a breakpoint the goal stops at (before the instruction). */
        BREAKPOINT,
        /** A watchpoint triggered (after the accessing instruction). */
        WATCHPOINT,
        /** {@link #step()} completed one instant. */
        STEP,
        /** The recording ended here (or its readable prefix did). */
        END,
        /** {@link #requestStop()}. */
        STOPPED
    }

    /**
     * A watched guest-physical range within one page, and which accesses count. Its page is a
     * hole in guest RAM ({@link #setTrappedPages}), so every access to the page exits.
     */
    public record Watch(long physical, int length, boolean reads, boolean writes) {
        boolean hit(long gpa, int size, boolean write) {
            return (write ? writes : reads) && gpa < physical + length && physical < gpa + size;
        }
    }

    /** What a {@link #run} looks for. All methods are called on the replay thread. */
    public interface Goal {
        /** Stop at anchor {@code exit}? */
        default boolean stopAtAnchor(long exit) {
            return false;
        }

        /** Instruction addresses to report arrivals at. */
        default long[] breakpoints() {
            return NONE;
        }

        default List<Watch> watchpoints() {
            return List.of();
        }

        /** The guest arrived at one of {@link #breakpoints()}: stop here? */
        default boolean arrived(long rip) {
            return false;
        }

        /** Watchpoint {@code w} (of {@link #watchpoints()}) was accessed: stop here (after the access)? */
        default boolean watched(Watch w) {
            return false;
        }
    }

    static final long[] NONE = new long[0];
    public static final Goal TO_END = new Goal() {};

    /** The state the cursor keeps besides the machine's, to be saved with a checkpoint. */
    public record Mark(long exit, long eventIndex, boolean atSyncExit, SerialTap.State serial) {}

    private static final long DR6_BS = 1L << 14;

    private final RecordingReader recording;
    private final Machine machine;
    private final KvmVcpu vcpu;
    private final RunArea run;
    private final EventStream events;
    private final SerialTap serial;
    private final CpuDigest cpuDigest;
    private final DirtyPageTracker tracker;
    private final MemoryDigest memoryDigest;
    private final DebugRegisters debug;
    private final SingleSteps singleSteps;
    private long ordinal;
    private boolean atSyncExit;
    private boolean atAnchor = true;
    private long digests;
    private long breakpointHits;
    private long steps;
    private long traps;
    /** The current instant is an arrival already reported: leave it before breakpoints fire again. */
    private boolean leaveArrival;
    /** The vector injected and not yet delivered (no KVM_RUN has entered the guest since), or -1. */
    private int undelivered = -1;
    private boolean completeExits;
    private volatile boolean stopRequested;
    private GuestBranchCounter branches;

    public ReplayCursor(RecordingReader recording, OutputStream serialOut) {
        this.recording = recording;
        RecordingHeader h = recording.header();
        MachineConfig config = MachineConfig.of(Path.of(h.kernelName())).withCmdline(h.cmdline())
                .withMemoryMiB(h.memoryMiB());
        this.machine = Machine.boot(config, recording.kernel(), recording.initrd(), CpuidConversion.fromHeader(h.cpuid()));
        this.vcpu = machine.vcpu();
        this.run = vcpu.runArea();
        this.events = new EventStream(recording.events());
        this.serial = new SerialTap(serialOut);
        this.cpuDigest = new CpuDigest(vcpu);
        this.tracker = new DirtyPageTracker(machine.vm(), machine.memory());
        this.memoryDigest = new MemoryDigest(tracker, machine.memory());
        this.debug = new DebugRegisters(vcpu, machine.memory());
        this.singleSteps = new SingleSteps(vcpu, machine.memory(), tracker);
    }

    public Machine machine() {
        return machine;
    }

    public RecordingReader recording() {
        return recording;
    }

    public DirtyPageTracker dirtyPages() {
        return tracker;
    }

    /** With a branch counter (recording and host both have one), targets are approached at full speed. */
    public void useBranchCounter(GuestBranchCounter counter) {
        this.branches = counter;
    }

    /**
     * Debugging needs every anchor to be a finished instruction (a checkpoint or a stop there
     * must not leave a half-done IN): this completes each exit right after servicing it.
     */
    public void setCompleteExits(boolean on) {
        this.completeExits = on;
    }

    /** The number of synchronous exits replayed so far: the current anchor. */
    public long exit() {
        return ordinal;
    }

    /** True when nothing has run since anchor {@link #exit()}. */
    public boolean atAnchor() {
        return atAnchor;
    }

    /** Index of the next event. */
    public long eventIndex() {
        return events.index();
    }

    public Event nextEvent() {
        return events.peek();
    }

    /** {@link #eventIndex()} readable from other threads (a stall watchdog). */
    public long progress() {
        return events.progress();
    }

    public List<Event> recentEvents() {
        return events.recent();
    }

    public long digestsChecked() {
        return digests;
    }

    public long serialBytes() {
        return serial.bytes();
    }

    public long breakpointHits() {
        return breakpointHits;
    }

    public long steps() {
        return steps;
    }

    /** Guest accesses to trapped pages served so far. */
    public long traps() {
        return traps;
    }

    /**
     * Makes guest accesses to pages exit, for watchpoints: every access to {@code holes}, writes
     * to {@code readOnly}. Called at an instant (not inside a run).
     */
    public void setTrappedPages(java.util.SortedSet<Integer> holes, java.util.SortedSet<Integer> readOnly) {
        VcpuState.completePendingExit(vcpu);
        tracker.setTrapped(holes, readOnly);
    }

    public void flushSerial() {
        serial.flush();
    }

    public CpuDigest cpu() {
        return cpuDigest;
    }

    /** The full state as a state point (registers, system hash, memory hash). */
    public StatePoint state() {
        return new StatePoint(cpuDigest.generalRegisters(), cpuDigest.systemHash(), memoryDigest.current(), -1);
    }

    public boolean stateEquals(StatePoint p) {
        return p.registersMatch(cpuDigest.generalRegisters()) && cpuDigest.systemHash() == p.systemHash()
                && memoryDigest.current() == p.memoryHash();
    }

    /** From any thread: make the current run or step return {@link Stop#STOPPED} at its next exit. */
    public void requestStop() {
        stopRequested = true;
        vcpu.kick();
    }

    public void clearStopRequest() {
        stopRequested = false;
    }

    public Mark mark() {
        if (!atAnchor) {
            throw new IllegalStateException("a mark is taken at an anchor");
        }
        return new Mark(ordinal, events.index(), atSyncExit, serial.state());
    }

    /** After the machine was restored to the checkpoint taken with {@code m}. */
    public void reset(Mark m) {
        ordinal = m.exit();
        atSyncExit = m.atSyncExit();
        events.seek(m.eventIndex());
        serial.restore(m.serial());
        atAnchor = true;
        leaveArrival = false;
        undelivered = -1; // the restored vCPU has no injection pending
        debug.invalidate();
    }

    /**
     * Runs until {@code goal} says stop, the recording ends, or a stop is requested. Throws
     * {@link DivergenceException} when the guest does something other than what was recorded.
     */
    public Stop run(Goal goal) {
        try {
            return loop(goal, false);
        } catch (KvmException e) {
            throw new DivergenceException(divergence("the replay to continue", "KVM failed: " + e.getMessage()));
        }
    }

    /** Moves one instant forward (see the class comment); returns STEP, WATCHPOINT, END or STOPPED. */
    public Stop step(Goal goal) {
        try {
            return loop(goal, true);
        } catch (KvmException e) {
            throw new DivergenceException(divergence("the replay to continue", "KVM failed: " + e.getMessage()));
        }
    }

    private Stop loop(Goal goal, boolean oneStep) {
        boolean startedAtAnchor = atAnchor;
        while (true) {
            if (stopRequested) {
                if (undelivered >= 0) {
                    // an injected interrupt not yet delivered is no instant GDB can name (nor a
                    // checkpoint keep): deliver it to its handler's first instruction, stop there
                    enterHandler(goal, undelivered, true);
                }
                stopRequested = false;
                return Stop.STOPPED;
            }
            Event next = dueEvents();
            if (atAnchor && atSyncExit) {
                if (!startedAtAnchor && goal.stopAtAnchor(ordinal)) {
                    return Stop.ANCHOR;
                }
                if (next instanceof Event.End e && e.ordinal() == ordinal) {
                    return Stop.END;
                }
            }
            startedAtAnchor = false;
            if (next == null) {
                return Stop.END;
            }
            // an interrupt due exactly here: at this anchor, or at this state
            boolean leaving = leaveArrival || atAnchor;
            boolean inject = false;
            if (next instanceof Event.Interrupt i && i.ordinal() == ordinal) {
                inject = i.at() == null ? atSyncExit && atAnchor
                        : leaving && i.at().rip() == rip() && branchesReached(i.at()) && stateEquals(i.at());
            }
            if (inject) {
                int vector = (int) inject((Event.Interrupt) next);
                Stop s = enterHandler(goal, vector, oneStep);
                if (s != null) {
                    return s;
                }
                continue;
            }
            StatePoint target = next instanceof Event.Interrupt i && i.at() != null && i.ordinal() == ordinal ? i.at() : null;
            boolean approaching = farFromBranchTarget(target);
            debug.plan(approaching ? null : target, goal, oneStep, leaving ? this::rip : null);
            boolean stepRun = debug.stepPlanned();
            if (stepRun && !singleSteps.mayStep()) { // HLT: see SingleSteps
                debug.withoutStep();
                stepRun = false;
            }
            debug.arm();
            int reason = vcpu.run();
            if (reason == ExitReason.INTR && !vcpu.enteredGuest()) {
                continue; // a kick before the guest ran: still at this instant (the loop top sees a stop request)
            }
            undelivered = -1;
            atAnchor = false;
            if (reason == ExitReason.DEBUG) {
                if (stepRun) {
                    singleSteps.afterStep();
                }
                Stop s = onDebugExit(goal, target, oneStep, run.debugDr6());
                if (s != null) {
                    return s;
                }
                continue;
            }
            leaveArrival = false;
            if (reason == ExitReason.INTR) {
                continue; // a kick: the loop top sees a stop request
            }
            if (reason == ExitReason.INTERNAL_ERROR && tracker.slots().anyTrapped()) {
                // KVM cannot emulate this instruction against a trapped page (an IRET whose
                // stack is there): run just it with every page mapped
                stepUntrapped();
                Stop s = onDebugExit(goal, target, oneStep, DR6_BS);
                if (s != null) {
                    return s;
                }
                continue;
            }
            if (reason == ExitReason.MMIO && tracker.slots().isTrapped(run.mmioAddress())) {
                boolean stepping = debug.stepping();
                if (onTrap(goal)) {
                    return Stop.WATCHPOINT;
                }
                if (stepping) {
                    // KVM does not end a single step in an instruction it completes after an
                    // MMIO exit: complete it here and take its end as the step's
                    completeInstruction();
                    Stop s = onDebugExit(goal, target, oneStep, DR6_BS);
                    if (s != null) {
                        return s;
                    }
                }
                continue;
            }
            serviceSyncExit(reason, target, next);
            if (oneStep) {
                return Stop.STEP;
            }
        }
    }

    /** Consumes the events due before the guest runs on (serial input: its data came through IN exits); returns the next one. */
    private Event dueEvents() {
        Event next = events.peek();
        while (next instanceof Event.SerialInput) {
            events.take();
            next = events.peek();
        }
        return next;
    }

    private void serviceSyncExit(int reason, StatePoint target, Event next) {
        atSyncExit = Recorder.isSynchronous(reason);
        if (!atSyncExit) {
            throw new DivergenceException(divergence(next == null ? "end of recording" : EventFormat.describe(next),
                    "VM exit " + ExitReason.name(reason)));
        }
        ordinal++;
        if (target != null) {
            throw new DivergenceException(divergence(
                    "interrupt 0x" + Integer.toHexString(((Event.Interrupt) next).vector()) + " at state " + target
                            + " before exit " + ordinal,
                    "the guest reached exit " + ordinal + " (" + ExitReason.name(reason) + ") without passing that state"));
        }
        switch (reason) {
            case ExitReason.IO -> replayPio();
            case ExitReason.MMIO -> replayMmio();
            case ExitReason.HLT -> expect(Event.Halt.class, "HLT");
            case ExitReason.SHUTDOWN -> {
                Event e = events.peek();
                // the recording ends here too: its final digest (compared below), then End
                boolean digestFirst = e instanceof Event.Digest d && d.ordinal() == ordinal;
                if (!digestFirst && !(e instanceof Event.End end && end.reason() == Event.EndReason.CRASHED)) {
                    throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                            "triple fault (KVM_EXIT_SHUTDOWN)"));
                }
            }
            default -> throw new IllegalStateException("not a synchronous exit: " + ExitReason.name(reason));
        }
        // digests were taken by the recorder right after the exit was serviced: before it completes
        for (Event e = events.peek(); e instanceof Event.Digest d && d.ordinal() == ordinal; e = events.peek()) {
            checkDigest(d);
            events.take();
        }
        if (completeExits && reason != ExitReason.SHUTDOWN) {
            debug.off();
            VcpuState.completePendingExit(vcpu);
        }
        atAnchor = true;
    }

    /**
     * A debug exit: the end of a single step, an arrival at a breakpoint, and/or a watchpoint
     * trap. Returns a stop, or null to go on.
     */
    private Stop onDebugExit(Goal goal, StatePoint target, boolean oneStep, long dr6) {
        long rip = rip();
        boolean stepped = (dr6 & DR6_BS) != 0;
        if (stepped) {
            steps++;
        }
        leaveArrival = false;
        if (!stepped && !debug.execTriggered(dr6)) {
            return null; // not ours (a stale trap): go on
        }
        // an arrival at rip
        if (debug.isUserBreakpoint(rip)) {
            breakpointHits++;
            if (goal.arrived(rip)) {
                leaveArrival = true;
                return Stop.BREAKPOINT;
            }
        }
        if (target != null && rip == target.rip()) {
            breakpointHits++; // the loop top looks at the state and injects if it is the one
        }
        leaveArrival = true;
        // one step: it ended here, with its trap or at a breakpoint (a fault handler's entry)
        return oneStep ? Stop.STEP : null;
    }

    /**
     * The guest takes the injected interrupt: runs it to the handler's first instruction, an
     * arrival like any other (single-stepping would execute that instruction too).
     */
    private Stop enterHandler(Goal goal, int vector, boolean oneStep) {
        atAnchor = false;
        // A plain run lets the guest go (the handler's entry is an arrival only a breakpoint there
        // sees), unless pages are trapped: KVM cannot deliver onto a stack in one.
        boolean trapped = tracker.slots().anyTrapped();
        long handler = oneStep || trapped || goal.breakpoints().length > 0 ? debug.handlerOf(vector) : -1;
        boolean stopThere = oneStep || contains(goal.breakpoints(), handler);
        if (handler >= 0 && (stopThere || trapped)) {
            int reason = runUntrapped(() -> debug.planHandlerEntry(handler, goal));
            while (reason == ExitReason.INTR) { // a kick before the delivery: deliver anyway, stop after
                reason = runUntrapped(() -> debug.planHandlerEntry(handler, goal));
            }
            undelivered = -1;
            if (reason == ExitReason.DEBUG && rip() == handler) {
                leaveArrival = true;
                if (debug.isUserBreakpoint(handler)) {
                    breakpointHits++;
                    if (goal.arrived(handler)) {
                        return Stop.BREAKPOINT;
                    }
                }
                return oneStep ? Stop.STEP : null;
            }
            throw new DivergenceException(divergence("delivery of the interrupt to its handler at 0x"
                    + Long.toHexString(handler), "VM exit " + ExitReason.name(reason) + " at 0x" + Long.toHexString(rip())));
        }
        leaveArrival = false;
        return null;
    }

    private long rip() {
        return vcpu.getRegs().rip();
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * Serves a guest access to a trapped page from guest memory; true if it touched a watched
     * range and the goal stops there: the instruction is then completed first.
     */
    private boolean onTrap(Goal goal) {
        long gpa = run.mmioAddress();
        int size = run.mmioLength();
        boolean write = run.mmioIsWrite();
        GuestMemoryAccess.serve(machine.memory(), run, gpa, size, write);
        if (write) {
            tracker.hostWrote(gpa, size); // KVM does not log what the host writes
        }
        traps++;
        for (Watch w : goal.watchpoints()) {
            if (w.hit(gpa, size, write) && goal.watched(w)) {
                completeInstruction();
                leaveArrival = false;
                return true;
            }
        }
        return false;
    }

    /** One instruction with all of RAM mapped (accesses to watched memory in it are not seen). */
    private void stepUntrapped() {
        int reason = runUntrapped(() -> {
            debug.invalidate();
            vcpu.setGuestDebug(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_SINGLESTEP, null);
        });
        if (reason != ExitReason.DEBUG) {
            throw new DivergenceException(divergence("one instruction at 0x" + Long.toHexString(rip())
                    + " with watched pages mapped", "VM exit " + ExitReason.name(reason)));
        }
        steps++;
    }

    /**
     * One KVM_RUN, planned by {@code plan}, with every page of RAM mapped: for what KVM does
     * itself and cannot do against a trapped page (deliver an event onto a stack there, IRET
     * from it, read descriptor tables).
     */
    private int runUntrapped(Runnable plan) {
        if (!tracker.slots().anyTrapped()) {
            plan.run();
            return vcpu.run();
        }
        java.util.SortedSet<Integer> holes = new java.util.TreeSet<>(tracker.slots().holes());
        java.util.SortedSet<Integer> readOnly = new java.util.TreeSet<>(tracker.slots().readOnlyPages());
        tracker.setTrapped(new java.util.TreeSet<>(), new java.util.TreeSet<>());
        try {
            plan.run();
            return vcpu.run();
        } finally {
            tracker.setTrapped(holes, readOnly);
        }
    }

    /**
     * Finishes the instruction whose trapped access was just served, running no further guest
     * code (KVM_RUN with immediate_exit); a read-modify-write instruction makes one more access,
     * served the same way.
     */
    private void completeInstruction() {
        debug.off();
        run.immediateExit(true);
        try {
            while (true) {
                int reason = vcpu.run();
                if (reason == ExitReason.INTR) {
                    return;
                }
                if (reason != ExitReason.MMIO || !tracker.slots().isTrapped(run.mmioAddress())) {
                    throw new DivergenceException(divergence("the watched instruction to complete",
                            "VM exit " + ExitReason.name(reason)));
                }
                GuestMemoryAccess.serve(machine.memory(), run, run.mmioAddress(), run.mmioLength(), run.mmioIsWrite());
                if (run.mmioIsWrite()) {
                    tracker.hostWrote(run.mmioAddress(), run.mmioLength());
                }
                traps++;
            }
        } finally {
            run.immediateExit(false);
        }
    }

    private boolean farFromBranchTarget(StatePoint target) {
        if (branches == null || target == null || target.branches() < 0) {
            return false;
        }
        if (branches.read() < target.branches() - branches.margin()) {
            branches.armOverflowAt(target.branches());
            return true;
        }
        branches.disarm();
        return false;
    }

    private boolean branchesReached(StatePoint target) {
        if (branches == null || target.branches() < 0) {
            return true;
        }
        long count = branches.read();
        if (count > target.branches()) {
            throw new DivergenceException(divergence("state " + target + " at branch " + target.branches(),
                    "branch " + count + " passed without reaching that state"));
        }
        return count == target.branches();
    }

    /** Injects the interrupt; returns its vector. */
    private long inject(Event.Interrupt i) {
        if (!run.ifFlag() || !run.readyForInterruptInjection()) {
            throw new DivergenceException(divergence(EventFormat.describe(i),
                    "the guest cannot take an interrupt here (IF=" + (run.ifFlag() ? 1 : 0) + ")"));
        }
        events.take();
        vcpu.interrupt(i.vector());
        undelivered = i.vector();
        leaveArrival = false;
        return i.vector();
    }

    private void replayPio() {
        int port = run.ioPort();
        int size = run.ioSize();
        int count = run.ioCount();
        boolean in = run.ioDirection() == RunArea.IO_IN;
        for (int k = 0; k < count; k++) {
            Event e = events.peek();
            if (in) {
                if (!(e instanceof Event.PioIn p) || p.ordinal() != ordinal || p.port() != port || p.size() != size) {
                    throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                            describePio(in, port, size)));
                }
                run.ioData(k, p.value());
            } else {
                int value = run.ioData(k);
                if (!(e instanceof Event.PioOut p) || p.ordinal() != ordinal || p.port() != port || p.size() != size
                        || p.value() != value) {
                    throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                            describePio(in, port, size) + " <- 0x" + Integer.toHexString(value)));
                }
                serial.pioOut(port, value);
            }
            events.take();
        }
    }

    /** The exit as a divergence report shows it: formatted only then, not for every exit that matches. */
    private static String describePio(boolean in, int port, int size) {
        return String.format("%s port 0x%04x size %d", in ? "IN" : "OUT", port, size);
    }

    private void replayMmio() {
        long address = run.mmioAddress();
        int length = run.mmioLength();
        Event e = events.peek();
        if (run.mmioIsWrite()) {
            if (!(e instanceof Event.MmioWrite m) || m.ordinal() != ordinal || m.address() != address || m.size() != length) {
                throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                        String.format("MMIO write 0x%x size %d", address, length)));
            }
        } else {
            if (!(e instanceof Event.MmioRead m) || m.ordinal() != ordinal || m.address() != address || m.size() != length) {
                throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                        String.format("MMIO read 0x%x size %d", address, length)));
            }
            run.mmioData(m.value());
        }
        events.take();
    }

    private void expect(Class<? extends Event> kind, String actual) {
        Event e = events.peek();
        if (!kind.isInstance(e) || e.ordinal() != ordinal) {
            throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e), actual));
        }
        events.take();
    }

    private void checkDigest(Event.Digest d) {
        digests++;
        long cpu = cpuDigest.fullHash();
        long mem = memoryDigest.current();
        if (cpu != d.cpuHash() || mem != d.memoryHash()) {
            throw new DivergenceException(divergence(EventFormat.describe(d),
                    String.format("cpu %016x memory %016x%s", cpu, mem, cpu != d.cpuHash() ? " (registers differ)"
                            : " (memory differs)")));
        }
    }

    /** A divergence report at the current point. */
    public Divergence divergence(String expected, String actual) {
        return new Divergence(ordinal, events.index(), expected, actual, events.recent());
    }

    /** The replay left the recording: thrown by {@link #run} and {@link #step}. */
    public static final class DivergenceException extends RuntimeException {
        private final Divergence divergence;

        public DivergenceException(Divergence d) {
            super(d.describe(), null, false, false);
            this.divergence = d;
        }

        public Divergence divergence() {
            return divergence;
        }
    }

    @Override
    public void close() {
        machine.close();
    }

    /** For tests and the engine: events (already read) from index {@code from} on, at most {@code max}. */
    public List<Event> events(long from, int max) {
        List<Event> out = new ArrayList<>();
        for (long i = from; i < events.size() && out.size() < max; i++) {
            out.add(events.get(i));
        }
        return out;
    }

    public long eventCount() {
        return events.size();
    }
}
