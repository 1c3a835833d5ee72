package io.lore.ui;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Keeps the engine's vCPU kick signal from killing the IDE.
 *
 * <p>The engine kicks a vCPU out of KVM_RUN with real-time signal 40 (tgkill), blocked in the
 * vCPU thread and unblocked by KVM only inside KVM_RUN; nothing handles it, so its default
 * action (terminate the process) must never be reached. In a long-lived JVM it is: when
 * HotSpot handles a SIGSEGV in the vCPU thread (an implicit null check in JIT-compiled code)
 * it resets the thread's signal mask to its own default, the kick signal is no longer blocked
 * there, and the next kick kills the whole IDE (exit status 168 = 128 + 40; measured: a JVM
 * that records the demo guest three times in a row dies this way, strace shows the mask reset
 * after the SIGSEGV). A handler that does nothing makes an unblocked kick harmless while it
 * still interrupts KVM_RUN. The handler is libc's {@code abs}: native, async-signal-safe,
 * without side effects; HotSpot itself does not use signal 40.
 */
public final class KickSignalGuard {
    /** io.lore.kvm.Kick.SIGNAL. */
    public static final int KICK_SIGNAL = 40;
    private static final int SA_RESTART = 0x10000000;
    private static final int SIGACTION_BYTES = 152; // glibc x86-64: handler, sigset_t[128], flags, restorer
    private static final int FLAGS_OFFSET = 8 + 128;
    private static volatile String state;

    private KickSignalGuard() {}

    /** Installs the no-op handler unless the signal already has one; returns what was done, in one line. */
    public static synchronized String install() {
        if (state != null) {
            return state;
        }
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            Function sigaction = libc.getFunction("sigaction");
            Memory old = new Memory(SIGACTION_BYTES);
            old.clear();
            if (sigaction.invokeInt(new Object[] {KICK_SIGNAL, null, old}) != 0) {
                return state = "cannot read the handler of signal " + KICK_SIGNAL;
            }
            if (Pointer.nativeValue(old.getPointer(0)) != 0) {
                return state = "signal " + KICK_SIGNAL + " already has a handler";
            }
            Memory act = new Memory(SIGACTION_BYTES);
            act.clear();
            act.setPointer(0, libc.getFunction("abs"));
            act.setInt(FLAGS_OFFSET, SA_RESTART);
            if (sigaction.invokeInt(new Object[] {KICK_SIGNAL, act, null}) != 0) {
                return state = "cannot install a handler for signal " + KICK_SIGNAL;
            }
            return state = "installed";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return state = "cannot install a handler for signal " + KICK_SIGNAL + ": " + e.getMessage();
        }
    }

    /** The address of the current handler of the kick signal (0: the default action). */
    public static long currentHandler() {
        NativeLibrary libc = NativeLibrary.getInstance("c");
        Memory old = new Memory(SIGACTION_BYTES);
        old.clear();
        libc.getFunction("sigaction").invokeInt(new Object[] {KICK_SIGNAL, null, old});
        return Pointer.nativeValue(old.getPointer(0));
    }
}
