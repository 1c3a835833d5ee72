package io.lore.machine;

import io.lore.kvm.KvmVcpu;
import io.lore.machine.devices.Clock;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the vCPU when a timer is due. A guest that computes without exiting would otherwise
 * never let the run loop see its timer expire; this thread sleeps until the deadline the loop
 * last published and kicks the vCPU out of KVM_RUN if the loop has not got there by itself.
 */
final class DeadlineKicker implements Runnable {
    private final KvmVcpu vcpu;
    private final Clock clock;
    private final Thread thread;
    private volatile long deadline = Long.MAX_VALUE;
    private volatile boolean stopped;

    DeadlineKicker(KvmVcpu vcpu, Clock clock) {
        this.vcpu = vcpu;
        this.clock = clock;
        this.thread = new Thread(this, "lore-vcpu-kicker");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Called by the vCPU thread after each exit; cheap when nothing changed. */
    void publish(long newDeadline) {
        if (newDeadline != deadline) {
            deadline = newDeadline;
            LockSupport.unpark(thread);
        }
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        while (!stopped) {
            long d = deadline;
            long wait = d == Long.MAX_VALUE ? Long.MAX_VALUE : d - clock.nanos();
            if (wait > 0) {
                if (wait == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, wait);
                }
                continue;
            }
            vcpu.kick();
            // One kick per deadline: wait until the loop has handled it and published another.
            while (!stopped && deadline == d) {
                LockSupport.parkNanos(this, 1_000_000);
            }
        }
    }
}
