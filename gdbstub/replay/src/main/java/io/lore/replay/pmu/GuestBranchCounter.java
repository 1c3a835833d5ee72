package io.lore.replay.pmu;

import com.sun.jna.Memory;

/**
 * One vCPU thread's counter of guest retired conditional branches, opened on that thread
 * (pid 0, cpu -1) so it follows the thread across CPUs, and counting guest mode only
 * (exclude_host=1, exclude_guest=0; guest user and guest kernel both count). Each overflow
 * sends real-time signal {@value #OVERFLOW_SIGNAL} to the vCPU thread: the same signal as the
 * vCPU kick (io.lore.kvm.Kick), blocked in the thread and unblocked only inside KVM_RUN, so an
 * overflow ends KVM_RUN with EINTR exactly like a kick and is drained the same way.
 *
 * <p>The event is always a sampling event, because the kernel refuses PERF_EVENT_IOC_PERIOD
 * on a counting one; "disarmed" is a period too far away to matter ({@link #DISARMED_PERIOD}).
 * It is pinned: if it cannot stay on the PMU it fails reads instead of being multiplexed, which
 * would silently drop counts. Not thread-safe; use it from the vCPU thread.
 */
public final class GuestBranchCounter implements AutoCloseable {
    /** Must equal io.lore.kvm.Kick.SIGNAL (a test checks it). */
    public static final int OVERFLOW_SIGNAL = 40;
    /** 2^60 branches: never reached, yet within the kernel's limit (bit 63 clear). */
    public static final long DISARMED_PERIOD = 1L << 60;

    private final int fd;
    private final int tid;
    private final long margin;
    private final Memory scratch = new Memory(Long.BYTES);
    private boolean closed;

    private GuestBranchCounter(int fd, int tid, long margin) {
        this.fd = fd;
        this.tid = tid;
        this.margin = margin;
    }

    /**
     * Opens the counter for the calling thread, which must be the vCPU thread. It starts
     * disabled and disarmed: {@link #reset()} then {@link #enable()} before the first KVM_RUN.
     */
    public static GuestBranchCounter openOnCurrentThread(BranchEvent event) {
        return openOnCurrentThread(guestOnlyAttr(event), event.margin());
    }

    /** Same as above for any sampling attr (tests use a software event, which this host has). */
    static GuestBranchCounter openOnCurrentThread(PerfEventAttr attr, long margin) {
        int fd = PerfEventOpen.open(attr, 0, -1, -1, PerfEventOpen.PERF_FLAG_FD_CLOEXEC);
        int tid = PerfEventOpen.gettid();
        try {
            PerfEventOpen.signalOverflowTo(fd, tid, OVERFLOW_SIGNAL);
        } catch (RuntimeException e) {
            PerfEventOpen.close(fd);
            throw e;
        }
        return new GuestBranchCounter(fd, tid, margin);
    }

    /** The attributes used to open (and, in {@link PmuSupport}, to probe) the counter. */
    static PerfEventAttr guestOnlyAttr(BranchEvent event) {
        PerfEventAttr a = new PerfEventAttr();
        a.type = event.type();
        a.config = event.config();
        a.sample_period = DISARMED_PERIOD;
        a.wakeup_events = 1;
        a.set(PerfEventAttr.DISABLED, true)
                .set(PerfEventAttr.PINNED, true)
                .set(PerfEventAttr.EXCLUDE_HOST, true)
                .set(PerfEventAttr.EXCLUDE_GUEST, false);
        return a;
    }

    /** Guest branches counted since open or the last {@link #reset()}. */
    public long read() {
        ensureOpen();
        return PerfEventOpen.readCount(fd, scratch);
    }

    /** Zeroes the count. Arm after a reset, not before: reset does not restart the period. */
    public void reset() {
        ensureOpen();
        PerfEventOpen.reset(fd);
    }

    public void enable() {
        ensureOpen();
        PerfEventOpen.enable(fd);
    }

    public void disable() {
        ensureOpen();
        PerfEventOpen.disable(fd);
    }

    /** {@link #armOverflowAt(long, long)} with the event's margin ({@link BranchEvent#margin()}). */
    public long armOverflowAt(long targetCount) {
        return armOverflowAt(targetCount, margin);
    }

    /** The event's margin: how many branches before a target {@link #armOverflowAt(long)} overflows. */
    public long margin() {
        return margin;
    }

    /**
     * Programs the next overflow for when the count reaches {@code targetCount - skidMargin}, so
     * that even an overflow observed {@code skid < skidMargin} branches late stops the guest
     * before the target. Call it while the guest is stopped (the count does not move then).
     *
     * @return the period programmed
     * @throws IllegalStateException if the count is already at or past that point
     */
    public long armOverflowAt(long targetCount, long skidMargin) {
        if (targetCount < 0 || skidMargin < 0) {
            throw new IllegalArgumentException("target " + targetCount + " and margin " + skidMargin + " must be >= 0");
        }
        long now = read();
        long period = targetCount - skidMargin - now;
        if (period < 1) {
            throw new IllegalStateException("count " + now + " is already within " + skidMargin
                    + " branches of target " + targetCount + ": use a breakpoint, not an overflow");
        }
        armOverflowAfter(period);
        return period;
    }

    /**
     * The next overflow comes {@code period} guest branches from now (see
     * BranchSeek.RunWithOverflow#period). The period repeats after each overflow, so
     * {@link #disarm()} once the guest has stopped.
     */
    public void armOverflowAfter(long period) {
        ensureOpen();
        PerfEventOpen.setPeriod(fd, period);
    }

    /** No further overflow signals (one may already be pending: drain it like a kick). */
    public void disarm() {
        armOverflowAfter(DISARMED_PERIOD);
    }

    /** The thread whose guest branches are counted and that receives the overflow signal. */
    public int tid() {
        return tid;
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            PerfEventOpen.close(fd);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("guest branch counter is closed");
        }
    }
}
