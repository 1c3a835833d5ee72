package io.lore.machine;

import io.lore.kvm.ExitReason;
import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.RunArea;
import io.lore.machine.devices.Clock;
import java.util.concurrent.locks.LockSupport;

/**
 * The vCPU thread: enter the guest, handle the exit, deliver interrupts, repeat. All device
 * work happens here, between two KVM_RUNs, so devices need no locks and every effect the
 * platform has on the guest happens at a VM exit (which is what makes a run recordable).
 */
public final class VcpuLoop {
    private final KvmVcpu vcpu;
    private final RunArea run;
    private final Platform platform;
    private final Clock clock;
    private final long timeLimitNanos;
    private final CrashReporter crashes;
    private LoopObserver observer = LoopObserver.NONE;
    private long retryInjectionAt = Long.MAX_VALUE;
    private volatile boolean stopRequested;
    private volatile Thread vcpuThread;
    private long exits;
    private long stopAt = Long.MAX_VALUE;
    private long kickDelayNanos;
    private DeadlineKicker kicker;

    public VcpuLoop(KvmVcpu vcpu, Platform platform, Clock clock, long timeLimitNanos, CrashReporter crashes) {
        this.vcpu = vcpu;
        this.run = vcpu.runArea();
        this.platform = platform;
        this.clock = clock;
        this.timeLimitNanos = timeLimitNanos;
        this.crashes = crashes;
    }

    public void setObserver(LoopObserver observer) {
        this.observer = observer;
    }

    /**
     * How long a due timer may wait for the guest's next VM exit before the vCPU is kicked out
     * of the guest for it (0, the default: kick at once). A recorder without a branch counter
     * sets it: an interrupt injected at an exit is positioned by the exit alone, one injected at
     * a kick must be found again by its state, which costs replay many breakpoint hits.
     */
    public void setKickDelay(long nanos) {
        this.kickDelayNanos = Math.max(0, nanos);
    }

    /** When the kicker must wake the vCPU for {@code deadline}, the time limit and injection retries. */
    private long kickAt(long deadline) {
        long timer = deadline > Long.MAX_VALUE - kickDelayNanos ? Long.MAX_VALUE : deadline + kickDelayNanos;
        return Math.min(Math.min(timer, stopAt), retryInjectionAt);
    }

    /** From any thread: end the run at the next exit (the vCPU is kicked out of the guest). */
    public void requestStop() {
        stopRequested = true;
        Thread t = vcpuThread;
        if (t != null) {
            vcpu.kick();
            LockSupport.unpark(t);
        }
    }

    /** From any thread (serial input arrived, ...): make the loop look at the platform again. */
    public void wake() {
        Thread t = vcpuThread;
        if (t != null) {
            vcpu.kick();
            LockSupport.unpark(t);
        }
    }

    public long exits() {
        return exits;
    }

    /** Runs the guest on the calling thread until it ends; never throws for guest misbehaviour. */
    public RunResult runToEnd() {
        vcpu.bindToCurrentThread();
        vcpuThread = Thread.currentThread();
        kicker = new DeadlineKicker(vcpu, clock);
        kicker.start();
        long start = clock.nanos();
        stopAt = start + timeLimitNanos;
        if (timeLimitNanos <= 0 || stopAt < start) { // no limit, or one so large it overflows
            stopAt = Long.MAX_VALUE;
        }
        // A guest that never exits must still be stopped at its time limit and get its timers.
        kicker.publish(kickAt(platform.nextDeadline()));
        try {
            while (true) {
                if (stopRequested) {
                    return end(RunResult.Outcome.STOPPED, RunResult.STATUS_STOPPED, "stopped", start);
                }
                deliverInterrupt();
                int reason = vcpu.run();
                long now = clock.nanos(); // one clock read per exit: it is on the hot path
                exits++;
                observer.onExit(reason);
                RunResult ended = handleExit(reason, start, now);
                if (ended != null) {
                    return ended;
                }
                observer.afterExit(reason);
                if (reason == ExitReason.HLT) {
                    now = clock.nanos(); // the guest waited
                }
                if (now >= stopAt) {
                    return end(RunResult.Outcome.TIME_LIMIT, RunResult.STATUS_TIME_LIMIT,
                            "time limit of " + timeLimitNanos / 1_000_000_000.0 + " s reached", start);
                }
                long deadline = platform.nextDeadline();
                if (now >= deadline) {
                    platform.advanceTo(now);
                    deadline = platform.nextDeadline();
                }
                kicker.publish(kickAt(deadline));
            }
        } catch (KvmException e) {
            return end(RunResult.Outcome.CRASHED, RunResult.STATUS_CRASHED, e.getMessage(), start);
        } finally {
            kicker.stop();
            platform.close();
            vcpuThread = null;
        }
    }

    /**
     * Injects when the guest can take it; otherwise asks KVM to exit as soon as it can
     * (KVM_EXIT_IRQ_WINDOW_OPEN), since a user-space irqchip cannot inject while IF=0.
     */
    private void deliverInterrupt() {
        if (!platform.interruptPending()) {
            run.requestInterruptWindow(false);
            return;
        }
        if (run.readyForInterruptInjection() && run.ifFlag()) {
            run.requestInterruptWindow(false);
            if (!observer.mayInjectNow()) {
                retryInjectionAt = clock.nanos() + observer.retryInjectionNanos();
                // now, not after the next exit: a guest that waits for this interrupt may not exit
                kicker.publish(kickAt(platform.nextDeadline()));
                return;
            }
            retryInjectionAt = Long.MAX_VALUE;
            int vector = platform.acknowledgeInterrupt();
            observer.beforeInjection(vector);
            vcpu.interrupt(vector);
        } else {
            run.requestInterruptWindow(true);
        }
    }

    private RunResult handleExit(int reason, long start, long now) {
        switch (reason) {
            case ExitReason.IO:
                handlePio();
                return platform.endRequest(exits, now - start);
            case ExitReason.MMIO:
                handleMmio();
                return null;
            case ExitReason.HLT:
                return halt(start);
            case ExitReason.IRQ_WINDOW_OPEN:
            case ExitReason.INTR:
            case ExitReason.DEBUG: // a breakpoint the observer set (see LoopObserver#mayInjectNow)
                return null;
            case ExitReason.SHUTDOWN:
                return crash("triple fault (KVM_EXIT_SHUTDOWN): the guest took an exception it could not handle", start);
            case ExitReason.SYSTEM_EVENT:
                return end(RunResult.Outcome.HALTED, RunResult.STATUS_HALTED,
                        "guest requested system event " + run.systemEventType(), start);
            case ExitReason.FAIL_ENTRY:
                return crash(String.format("KVM could not enter the guest (hardware reason 0x%x)", run.failEntryReason()),
                        start);
            case ExitReason.INTERNAL_ERROR:
                return crash(run.internalSuberror() == 1
                        ? "KVM could not emulate the instruction at rip (KVM_INTERNAL_ERROR_EMULATION); this host "
                                + "emulates guest CPL0 code and does not support every instruction (e.g. INT n)"
                        : String.format("KVM internal error, suberror %d, data %s", run.internalSuberror(),
                                java.util.Arrays.toString(run.internalData())), start);
            default:
                return crash("unhandled VM exit " + ExitReason.name(reason), start);
        }
    }

    private void handlePio() {
        int port = run.ioPort();
        int size = run.ioSize();
        int count = run.ioCount();
        if (run.ioDirection() == RunArea.IO_IN) {
            for (int i = 0; i < count; i++) {
                run.ioData(i, platform.pioIn(port, size));
            }
        } else {
            for (int i = 0; i < count; i++) {
                platform.pioOut(port, size, run.ioData(i));
            }
        }
    }

    private void handleMmio() {
        long address = run.mmioAddress();
        int length = run.mmioLength();
        if (run.mmioIsWrite()) {
            platform.mmioWrite(address, length, run.mmioData());
        } else {
            run.mmioData(platform.mmioRead(address, length));
        }
    }

    /**
     * HLT: the guest waits for an interrupt. With IF=0 none can come, so the run is over; else
     * sleep until the platform's next deadline (or a wake-up) and let the loop inject.
     */
    private RunResult halt(long start) {
        if (!run.ifFlag()) {
            return end(RunResult.Outcome.HALTED, RunResult.STATUS_HALTED, "guest halted with interrupts disabled", start);
        }
        while (!platform.interruptPending() && !stopRequested) {
            long now = clock.nanos();
            long deadline = platform.nextDeadline();
            if (now >= deadline) {
                platform.advanceTo(now);
                continue;
            }
            if (now >= stopAt) {
                break;
            }
            long wait = Math.min(Math.min(deadline, stopAt) - now, 50_000_000L);
            LockSupport.parkNanos(this, Math.max(wait, 1));
        }
        return null;
    }

    private RunResult crash(String why, long start) {
        String report = crashes.report(why);
        return end(RunResult.Outcome.CRASHED, RunResult.STATUS_CRASHED, report, start);
    }

    private RunResult end(RunResult.Outcome outcome, int status, String detail, long start) {
        return new RunResult(outcome, status, detail, exits, clock.nanos() - start);
    }
}
