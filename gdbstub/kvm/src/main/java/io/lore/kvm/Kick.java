package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * Signal-based vCPU kick. A real-time signal nothing else in the JVM uses is blocked in the
 * vCPU thread; KVM unblocks it only inside KVM_RUN, so the signal interrupts the guest and is
 * consumed with sigtimedwait afterwards. Should the JVM have unblocked it in the thread (see
 * {@link KickSignalHandler}), the no-op handler takes it and {@link #pending} still makes the
 * next KVM_RUN return at once: no kick is lost and none can kill the process.
 */
final class Kick {
    static final int SIGNAL = 40;
    private static final int SIGSET_BYTES = 128; // glibc sigset_t

    private volatile int tid;
    /** A kick was sent and not yet consumed by a KVM_RUN that returned EINTR. */
    volatile boolean pending;
    private final Memory set = new Memory(SIGSET_BYTES);
    private final Memory zeroTimeout = new Memory(16);

    Kick() {
        KickSignalHandler.install();
        set.clear();
        set.setLong(0, bit());
        zeroTimeout.clear();
    }

    static long bit() {
        return 1L << (SIGNAL - 1);
    }

    /** Blocks the kick signal in this thread; returns the thread's previous mask. */
    Memory blockInCurrentThread() {
        Memory old = new Memory(SIGSET_BYTES);
        old.clear();
        int rc = LibC.pthread_sigmask(LibC.SIG_BLOCK, set, old);
        if (rc != 0) {
            throw new KvmException("pthread_sigmask failed: " + LibC.strerror(rc), rc);
        }
        tid = (int) LibC.syscall(LibC.SYS_gettid, 0, 0, 0);
        return old;
    }

    void send() {
        int t = tid;
        if (t == 0) {
            throw new IllegalStateException("vCPU is not bound to a thread (bindToCurrentThread)");
        }
        pending = true;
        try {
            LibC.syscall(LibC.SYS_tgkill, LibC.getpid(), t, SIGNAL);
        } catch (LastErrorException e) {
            throw KvmException.of("tgkill (vCPU kick)", e);
        }
    }

    /** Consumes a pending kick so the next KVM_RUN does not return at once. */
    void drain() {
        pending = false;
        try {
            while (LibC.sigtimedwait(set, null, zeroTimeout) == SIGNAL) {
                // one pending instance at most for a real-time signal per send; loop drains all
            }
        } catch (LastErrorException e) {
            // EAGAIN: nothing pending
        }
    }
}
