package io.lore.replay.travel;

import io.lore.kvm.Sregs;
import io.lore.log.Event;
import io.lore.log.RecordingReader;
import io.lore.log.StatePoint;
import io.lore.machine.PageWalker;
import io.lore.replay.ReplayCursor;
import io.lore.replay.ReplayCursor.Goal;
import io.lore.replay.ReplayCursor.Stop;
import io.lore.replay.ReplayCursor.Watch;
import io.lore.replay.checkpoint.Checkpoint;
import io.lore.replay.checkpoint.CheckpointStore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Time travel over a recording: seek to any {@link Position}, step and continue in both
 * directions, with breakpoints and watchpoints. Going back means restoring the nearest
 * checkpoint before the target and replaying forward to it; checkpoints are taken at anchors
 * as the replay moves (every {@link #spacingNanos} of replay work, and wherever the debugger
 * works), within a memory budget whose eviction keeps the whole history covered.
 *
 * <p>Reverse step: the instant before position {@code (A, X, k)} lies between the previous
 * arrival at X (or anchor A) and it: single-step from there to count the instants, then go
 * there again and stop one short. Reverse continue: replay the interval from the checkpoint
 * before the current position up to it with every breakpoint and watchpoint armed, remember
 * the last hit, go to it (a watchpoint: one instant further back, before the access); with no
 * hit, the interval before that one, and so on to the start of the recording.
 *
 * <p>Not thread-safe: one thread drives it (the vCPU is bound to the thread that created it),
 * except {@link #interrupt()}.
 */
public final class TimeTravel implements AutoCloseable {
    public static final long DEFAULT_BUDGET_BYTES = 512L << 20;
    public static final long DEFAULT_SPACING_NANOS = 25_000_000L;
    /** Single steps a reverse step may take to find the instant before (about 8 µs each here). */
    static final long MAX_STEP_BACK = 5_000_000L;

    private final ReplayCursor cursor;
    private final CheckpointStore store;
    private final TreeMap<Long, ReplayCursor.Mark> marks = new TreeMap<>();
    private final StopSet stops = new StopSet();
    private final long spacingNanos;
    private long lastCheckpointNanos;
    private Position known;
    private volatile boolean interrupted;
    private volatile boolean moving;
    private volatile boolean stalled;
    private volatile long restores;
    private volatile long stallNanos = io.lore.replay.Replayer.DEFAULT_STALL_NANOS;

    /** Interrupted from another thread in the middle of a move. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }

    public TimeTravel(RecordingReader recording, long budgetBytes) {
        this(recording, budgetBytes, DEFAULT_SPACING_NANOS);
    }

    public TimeTravel(RecordingReader recording, long budgetBytes, long spacingNanos) {
        if (readsTsc(recording)) {
            // lore.ko feeds RDTSC values forward only; going back would need the feed rewound
            throw new IllegalStateException("the guest read the TSC in this recording (kernel-assisted capture): "
                    + "reverse debugging such recordings is not supported yet; `lore replay` verifies it");
        }
        this.cursor = new ReplayCursor(recording, null);
        this.spacingNanos = spacingNanos;
        cursor.machine().vcpu().bindToCurrentThread();
        cursor.setCompleteExits(true);
        this.store = new CheckpointStore(cursor.machine(), cursor.dirtyPages());
        store.setBudget(budgetBytes > 0 ? budgetBytes : DEFAULT_BUDGET_BYTES);
        checkpointHere();
        known = Position.anchor(0);
        startStallWatchdog();
    }

    /** How long a move may go without any progress (events, steps, breakpoint hits) before it is stopped as diverged. */
    public void setStallTimeout(long nanos) {
        this.stallNanos = nanos;
    }

    /**
     * A guest that left the recording may run on without ever exiting: the move would never
     * return. The watchdog stops it; the move then reports a divergence.
     */
    private void startStallWatchdog() {
        Thread t = new Thread(() -> {
            long seen = -1;
            long since = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                long now = cursor.progress() + cursor.steps() + cursor.breakpointHits() + cursor.traps() + restores;
                if (!moving || now != seen) {
                    seen = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > stallNanos) {
                    stalled = true;
                    cursor.requestStop();
                    since = System.nanoTime();
                }
            }
        }, "lore-travel-watchdog");
        t.setDaemon(true);
        t.start();
        watchdog = t;
    }

    private Thread watchdog;

    private static boolean readsTsc(RecordingReader r) {
        if (r.summary().isPresent()) {
            return r.summary().get().count(io.lore.log.EventKind.TSC) > 0;
        }
        for (var it = r.events(); it.hasNext(); ) {
            if (it.next() instanceof Event.Tsc) {
                return true;
            }
        }
        return false;
    }

    public ReplayCursor cursor() {
        return cursor;
    }

    public StopSet stops() {
        return stops;
    }

    public void addBreakpoint(long address) {
        stops.addBreakpoint(address);
    }

    public boolean removeBreakpoint(long address) {
        return stops.removeBreakpoint(address);
    }

    /**
     * Watches guest-virtual {@code [address, address + length)} (translated now); false if it is
     * not mapped. Guest accesses to the pages holding it exit from now on.
     */
    public boolean addWatchpoint(StopSet.Access access, long address, int length) {
        return watchRefusal(access, address, length) == null && addWatchpointUnchecked(access, address, length);
    }

    /**
     * Why a watchpoint cannot be set, or null. A read or access watchpoint takes its page out of
     * guest RAM, which KVM itself then cannot read: not on a page holding the guest's interrupt
     * or descriptor tables (every interrupt reads them).
     */
    public String watchRefusal(StopSet.Access access, long address, int length) {
        io.lore.machine.Machine m = cursor.machine();
        Sregs s = m.vcpu().getSregs();
        for (long a = address & ~0xfffL; a < address + length; a += 0x1000) {
            long pa = PageWalker.translate(m.memory(), s, a);
            if (pa < 0) {
                return String.format("0x%x is not mapped in the guest's page tables", Math.max(a, address));
            }
            if (access != StopSet.Access.WRITE) {
                long page = pa >>> 12;
                if (overlaps(m, s, s.idtBase, s.idtLimit, page) || overlaps(m, s, s.gdtBase, s.gdtLimit, page)
                        || overlaps(m, s, s.tr.base, s.tr.limit, page)) {
                    return String.format("0x%x shares a page with the guest's IDT, GDT or TSS: a read watchpoint "
                            + "there would stop interrupts (a write watchpoint works)", Math.max(a, address));
                }
            }
        }
        return null;
    }

    private static boolean overlaps(io.lore.machine.Machine m, Sregs s, long base, long limit, long page) {
        for (long a = base & ~0xfffL; a <= base + limit; a += 0x1000) {
            if (PageWalker.translate(m.memory(), s, a) >>> 12 == page) {
                return true;
            }
        }
        return false;
    }

    private boolean addWatchpointUnchecked(StopSet.Access access, long address, int length) {
        io.lore.machine.Machine m = cursor.machine();
        Sregs s = m.vcpu().getSregs();
        boolean added = stops.addWatchpoint(access, address, length, va -> PageWalker.translate(m.memory(), s, va));
        cursor.setTrappedPages(stops.pages(true), stops.pages(false));
        return added;
    }

    public boolean removeWatchpoint(StopSet.Access access, long address, int length) {
        boolean removed = stops.removeWatchpoint(access, address, length);
        cursor.setTrappedPages(stops.pages(true), stops.pages(false));
        return removed;
    }

    /** Removes every breakpoint and watchpoint. */
    public void clearStops() {
        stops.clear();
        cursor.setTrappedPages(stops.pages(true), stops.pages(false));
    }

    public CheckpointStore checkpoints() {
        return store;
    }

    /** Checkpoint restores so far (a cost figure). */
    public long restores() {
        return restores;
    }

    /** From any thread: the current move returns {@link Motion.Kind#INTERRUPTED} soon. */
    public void interrupt() {
        interrupted = true;
        cursor.requestStop();
    }

    /** The current position (found by a short replay when the engine got here without counting). */
    public Position position() {
        return guarded(this::locate);
    }

    // ---- moves ----

    public Motion stepForward() {
        return move(() -> {
            UserGoal g = userGoal();
            Stop s = cursor.step(g);
            known = cursor.atAnchor() ? Position.anchor(cursor.exit()) : null;
            return switch (s) {
                case WATCHPOINT -> g.watchMotion();
                case END -> Motion.of(Motion.Kind.END);
                case STOPPED -> Motion.of(Motion.Kind.INTERRUPTED);
                default -> Motion.of(Motion.Kind.STEP);
            };
        });
    }

    public Motion continueForward() {
        return move(() -> {
            UserGoal g = userGoal();
            Stop s = cursor.run(checkpointing(g));
            known = cursor.atAnchor() ? Position.anchor(cursor.exit()) : null;
            return switch (s) {
                case BREAKPOINT -> Motion.breakpoint(rip());
                case WATCHPOINT -> g.watchMotion();
                case END -> Motion.of(Motion.Kind.END);
                default -> Motion.of(Motion.Kind.INTERRUPTED);
            };
        });
    }

    public Motion stepBackward() {
        return move(() -> {
            Position p = locate();
            if (p.isAnchor() && p.exit() == 0) {
                return Motion.of(Motion.Kind.BEGIN);
            }
            stepBack(p);
            return Motion.of(Motion.Kind.STEP);
        });
    }

    public Motion continueBackward() {
        return move(this::reverseContinue);
    }

    /** Goes to {@code p} (forward or back). Throws IllegalArgumentException if the recording has no such instant. */
    public void seek(Position p) {
        arrived(move(() -> {
            seekTo(p);
            return Motion.of(Motion.Kind.STEP);
        }));
    }

    /** A seek that did not get there says why. */
    private static void arrived(Motion m) {
        if (m.kind() == Motion.Kind.INTERRUPTED) {
            throw new IllegalStateException("the seek was interrupted");
        }
        if (m.kind() == Motion.Kind.DIVERGED) {
            throw new IllegalStateException(m.divergence().describe());
        }
    }

    /**
     * Goes to where event {@code index} happens: for an interrupt, just before its delivery;
     * for an exit's data, just after that exit.
     */
    public void seekEvent(long index) {
        if (index < 0 || index >= cursor.eventCount()) {
            throw new IllegalArgumentException("no event " + index + " (the recording has " + cursor.eventCount() + ")");
        }
        Event e = cursor.events(index, 1).get(0);
        arrived(move(() -> {
            if (e instanceof Event.Interrupt i && i.at() != null) {
                known = findState(i.ordinal(), i.at(), "the replay did not reach the state of event " + index);
            } else {
                goToAnchor(e.ordinal());
            }
            return Motion.of(Motion.Kind.STEP);
        }));
    }

    // ---- the algorithms ----

    private Motion move(java.util.function.Supplier<Motion> body) {
        interrupted = false;
        stalled = false;
        cursor.clearStopRequest();
        moving = true;
        try {
            Motion m = body.get();
            return stalled ? stalledMotion() : m;
        } catch (Interrupted e) {
            known = null;
            return stalled ? stalledMotion() : Motion.of(Motion.Kind.INTERRUPTED);
        } catch (ReplayCursor.DivergenceException d) {
            recoverFromDivergence();
            return Motion.diverged(d.divergence());
        } finally {
            moving = false;
        }
    }

    /** Back to the last checkpoint before where the replay left the recording, so the session goes on. */
    private void recoverFromDivergence() {
        known = null;
        try {
            restore(store.floor(cursor.exit()));
        } catch (RuntimeException e) {
            // the machine stays where it diverged; the divergence report says what happened
        }
    }

    private Motion stalledMotion() {
        Event next = cursor.nextEvent();
        Motion m = Motion.diverged(cursor.divergence(next == null ? "end of recording" : io.lore.replay.EventFormat.describe(next),
                String.format(java.util.Locale.ROOT, "no progress for %.0f s: the guest runs without reaching the next "
                        + "recorded event", stallNanos / 1e9)));
        recoverFromDivergence();
        return m;
    }

    private <T> T guarded(java.util.function.Supplier<T> body) {
        interrupted = false;
        cursor.clearStopRequest();
        try {
            return body.get();
        } catch (Interrupted e) {
            known = null;
            throw new IllegalStateException("interrupted");
        }
    }

    private Position locate() {
        if (known != null) {
            return known;
        }
        if (cursor.atAnchor()) {
            return known = Position.anchor(cursor.exit());
        }
        long exit = cursor.exit();
        return known = findState(exit, cursor.state(), "cannot find the current instant again after exit " + exit
                + " (the replay is not deterministic here)");
    }

    /** The first instant after anchor {@code exit} in state {@code state}, gone to and named. */
    private Position findState(long exit, StatePoint state, String notFound) {
        goToAnchor(exit);
        long[] count = {0};
        Stop s = runOrThrow(new Goal() {
            @Override public boolean stopAtAnchor(long e) { return true; }
            @Override public long[] breakpoints() { return new long[] {state.rip()}; }
            @Override public boolean arrived(long rip) {
                count[0]++;
                return cursor.stateEquals(state);
            }
        });
        if (s != Stop.BREAKPOINT) {
            throw new IllegalStateException(notFound);
        }
        return new Position(exit, state.rip(), count[0]);
    }

    private void seekTo(Position p) {
        if (p.isAnchor()) {
            goToAnchor(p.exit());
            return;
        }
        Position from = known;
        long already = 0;
        if (from != null && from.exit() == p.exit() && !from.isAnchor() && from.rip() == p.rip()
                && from.arrival() <= p.arrival()) {
            already = from.arrival();
        } else if (!(from != null && from.isAnchor() && from.exit() == p.exit() && cursor.atAnchor())) {
            goToAnchor(p.exit());
        }
        if (already < p.arrival()) {
            long need = p.arrival() - already;
            long[] count = {0};
            Stop s = runOrThrow(new Goal() {
                @Override public boolean stopAtAnchor(long e) { return true; }
                @Override public long[] breakpoints() { return new long[] {p.rip()}; }
                @Override public boolean arrived(long rip) { return ++count[0] == need; }
            });
            if (s != Stop.BREAKPOINT) {
                known = cursor.atAnchor() ? Position.anchor(cursor.exit()) : null;
                throw new IllegalArgumentException("no position " + p + ": the guest arrives at 0x"
                        + Long.toHexString(p.rip()) + " only " + (already + count[0]) + " times after exit " + p.exit());
            }
        }
        known = p;
    }

    /** To anchor {@code a}: forward if it is ahead, else from the nearest checkpoint before it. */
    private void goToAnchor(long a) {
        if (cursor.exit() == a && cursor.atAnchor()) {
            known = Position.anchor(a);
            return;
        }
        Checkpoint c = store.floor(a);
        boolean ahead = cursor.exit() < a;
        if (!ahead || c.position() > cursor.exit()) {
            restore(c);
        }
        if (cursor.exit() < a) {
            Stop s = runOrThrow(checkpointing(new Goal() {
                @Override public boolean stopAtAnchor(long e) { return e == a; }
            }));
            if (s != Stop.ANCHOR) {
                known = cursor.atAnchor() ? Position.anchor(cursor.exit()) : null;
                throw new IllegalArgumentException("no exit " + a + ": the recording ends at exit " + cursor.exit());
            }
        }
        if (store.at(a) == null) {
            checkpointHere(); // the debugger works here: come back cheaply
        }
        known = Position.anchor(a);
    }

    private void restore(Checkpoint c) {
        store.restore(c);
        cursor.reset(marks.get(c.position()));
        restores++;
        known = Position.anchor(c.position());
    }

    private void checkpointHere() {
        long exit = cursor.exit();
        store.take(exit);
        marks.put(exit, cursor.mark());
        marks.keySet().removeIf(k -> store.at(k) == null); // evicted meanwhile
        lastCheckpointNanos = System.nanoTime();
    }

    /** One instant back from {@code p} (not the start). */
    private void stepBack(Position p) {
        Position q;
        java.util.function.BooleanSupplier reachedP;
        if (p.isAnchor()) {
            q = Position.anchor(p.exit() - 1);
            reachedP = () -> cursor.atAnchor() && cursor.exit() == p.exit();
        } else {
            q = p.arrival() >= 2 ? new Position(p.exit(), p.rip(), p.arrival() - 1) : Position.anchor(p.exit());
            reachedP = () -> !cursor.atAnchor() && rip() == p.rip();
        }
        seekTo(q);
        long steps = 0;
        do {
            plainStep();
            steps++;
            if (cursor.exit() > p.exit()) {
                throw new IllegalStateException("stepping from " + q + " passed " + p + " without reaching it");
            }
            if (steps > MAX_STEP_BACK) { // about a minute of single steps: say so rather than seem hung
                throw new IllegalStateException(String.format(java.util.Locale.ROOT, "cannot go back one instruction from %s: "
                        + "it is more than %,d instructions after %s", p, MAX_STEP_BACK, q));
            }
        } while (!reachedP.getAsBoolean());
        seekTo(q);
        for (long i = 1; i < steps; i++) {
            plainStep();
        }
        known = steps == 1 ? q : cursor.atAnchor() ? Position.anchor(cursor.exit()) : null;
    }

    private void plainStep() {
        known = null;
        Stop s = cursor.step(new Goal() {});
        if (s == Stop.STOPPED || interrupted) {
            throw new Interrupted();
        }
        if (s == Stop.END) {
            throw new IllegalStateException("the recording ended while stepping");
        }
    }

    /** A remembered breakpoint or watchpoint hit: the n-th of its kind after anchor {@code exit}. */
    private record Hit(long exit, long rip, Watch piece, long nth) {}

    private Motion reverseContinue() {
        Position end = locate();
        while (true) {
            if (end.isAnchor() && end.exit() == 0) {
                restore(store.floor(0));
                return Motion.of(Motion.Kind.BEGIN);
            }
            Checkpoint c = store.floor(end.isAnchor() ? end.exit() - 1 : end.exit());
            restore(c);
            Scan scan = new Scan(end);
            Stop s = cursor.run(checkpointing(scan));
            if (s == Stop.STOPPED || interrupted) {
                restore(c); // as far back as the search got
                return Motion.of(Motion.Kind.INTERRUPTED);
            }
            if (s != (end.isAnchor() ? Stop.ANCHOR : Stop.BREAKPOINT)) {
                throw new IllegalStateException("the replay of the interval before " + end + " ended early (" + s + ")");
            }
            if (scan.last != null) {
                return goToHit(scan.last);
            }
            end = Position.anchor(c.position());
        }
    }

    private Motion goToHit(Hit h) {
        goToAnchor(h.exit());
        long[] nth = {0};
        HashMap<Long, Long> perRip = new HashMap<>();
        UserGoal g = new UserGoal() {
            @Override public boolean stopAtAnchor(long e) { return true; }
            @Override public boolean arrived(long rip) {
                long n = perRip.merge(rip, 1L, Long::sum);
                return h.piece() == null && rip == h.rip() && n == h.nth() && stops.isBreakpoint(rip);
            }
            @Override public boolean watched(Watch w) {
                return h.piece() != null && ++nth[0] == h.nth();
            }
        };
        Stop s = runOrThrow(g);
        if (h.piece() == null) {
            if (s != Stop.BREAKPOINT) {
                throw new IllegalStateException("the breakpoint hit found at " + h + " was not found again");
            }
            known = new Position(h.exit(), h.rip(), h.nth());
            return Motion.breakpoint(h.rip());
        }
        if (s != Stop.WATCHPOINT) {
            throw new IllegalStateException("the watchpoint hit found at " + h + " was not found again");
        }
        known = null;
        Position after = locate();
        stepBack(after); // before the access, as GDB and rr expect
        return Motion.watchpoint(stops.owner(h.piece()), stops.owner(h.piece()).address());
    }

    /** Replays up to {@code end}, remembering the last breakpoint or watchpoint hit. */
    private final class Scan extends UserGoal {
        private final Position end;
        private final Map<Long, Long> arrivals = new HashMap<>();
        private long watchHits;
        private long segment;
        Hit last;

        Scan(Position end) {
            this.end = end;
            this.segment = cursor.exit();
        }

        @Override public boolean stopAtAnchor(long exit) {
            arrivals.clear();
            watchHits = 0;
            segment = exit;
            // an anchor bound; past a mid-segment bound only if it was never reached (a bug: reported by the caller)
            return end.isAnchor() ? exit >= end.exit() : exit > end.exit();
        }

        @Override public long[] breakpoints() {
            long[] user = stops.breakpointAddresses();
            if (end.isAnchor() || segment != end.exit()) {
                return user;
            }
            long[] all = Arrays.copyOf(user, user.length + 1);
            all[user.length] = end.rip();
            return all;
        }

        @Override public boolean arrived(long rip) {
            long n = arrivals.merge(rip, 1L, Long::sum);
            if (!end.isAnchor() && segment == end.exit() && rip == end.rip() && n == end.arrival()) {
                return true; // the bound: where the search started
            }
            if (stops.isBreakpoint(rip)) {
                last = new Hit(segment, rip, null, n);
            }
            return false;
        }

        @Override public boolean watched(Watch w) {
            last = new Hit(segment, 0, w, ++watchHits);
            return false;
        }
    }

    private UserGoal userGoal() {
        return new UserGoal();
    }

    /** Stops at the debugger's breakpoints and watchpoints. */
    private class UserGoal implements Goal {
        private Watch triggered;

        @Override public long[] breakpoints() {
            return stops.breakpointAddresses();
        }

        @Override public List<Watch> watchpoints() {
            return stops.pieces();
        }

        @Override public boolean arrived(long rip) {
            return stops.isBreakpoint(rip);
        }

        @Override public boolean watched(Watch w) {
            triggered = w;
            return true;
        }

        Motion watchMotion() {
            return Motion.watchpoint(stops.owner(triggered), stops.owner(triggered).address());
        }
    }

    /** Takes a checkpoint at an anchor every {@link #spacingNanos} of replay work. */
    private Goal checkpointing(Goal inner) {
        return new Goal() {
            @Override public boolean stopAtAnchor(long exit) {
                if (interrupted) {
                    return true;
                }
                if (System.nanoTime() - lastCheckpointNanos >= spacingNanos && store.at(exit) == null) {
                    checkpointHere();
                }
                return inner.stopAtAnchor(exit);
            }
            @Override public long[] breakpoints() { return inner.breakpoints(); }
            @Override public List<Watch> watchpoints() { return inner.watchpoints(); }
            @Override public boolean arrived(long rip) { return inner.arrived(rip); }
            @Override public boolean watched(Watch w) { return inner.watched(w); }
        };
    }

    private Stop runOrThrow(Goal g) {
        Stop s = cursor.run(g);
        if (s == Stop.STOPPED || interrupted) {
            throw new Interrupted();
        }
        return s;
    }

    private long rip() {
        return cursor.machine().vcpu().getRegs().rip();
    }

    @Override
    public void close() {
        watchdog.interrupt();
        store.close();
        cursor.close();
    }
}
