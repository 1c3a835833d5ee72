package io.lore.kvm;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * A process-wide handler that does nothing for the vCPU kick signal, so that a kick can never
 * kill the JVM.
 *
 * <p>The kick signal is blocked in the vCPU thread and unblocked by KVM only inside KVM_RUN; with
 * no handler its default action (terminate the process) must never be reached. In a long-lived
 * JVM it is: when HotSpot handles a SIGSEGV in the vCPU thread (an implicit null check in
 * JIT-compiled code) it resets that thread's signal mask, the kick signal is unblocked, and the
 * next kick ends the process with status 168 (found by the Eclipse work: a JVM recording the
 * demo three times in a row died so; strace shows the mask reset). With this handler such a
 * kick is harmless, and still interrupts KVM_RUN. The handler is libc's {@code abs}: native,
 * async-signal-safe, without side effects; HotSpot does not use signal 40.
 */
public final class KickSignalHandler {
    private static final int SA_RESTART = 0x10000000;
    private static final int SIGACTION_BYTES = 152; // glibc x86-64: handler, sigset_t[128], flags, restorer
    private static final int FLAGS_OFFSET = 8 + 128;
    private static volatile String state;

    private KickSignalHandler() {}

    /** The kick signal's number. */
    public static int signal() {
        return Kick.SIGNAL;
    }

    /** Installs the handler unless the signal already has one; returns what was done, in one line. */
    public static synchronized String install() {
        if (state != null) {
            return state;
        }
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            Function sigaction = libc.getFunction("sigaction");
            Memory old = new Memory(SIGACTION_BYTES);
            old.clear();
            if (sigaction.invokeInt(new Object[] {Kick.SIGNAL, null, old}) != 0) {
                return state = "cannot read the handler of signal " + Kick.SIGNAL;
            }
            if (Pointer.nativeValue(old.getPointer(0)) != 0) {
                return state = "signal " + Kick.SIGNAL + " already has a handler";
            }
            Memory act = new Memory(SIGACTION_BYTES);
            act.clear();
            act.setPointer(0, libc.getFunction("abs"));
            act.setInt(FLAGS_OFFSET, SA_RESTART);
            if (sigaction.invokeInt(new Object[] {Kick.SIGNAL, act, null}) != 0) {
                return state = "cannot install a handler for signal " + Kick.SIGNAL;
            }
            return state = "installed";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return state = "cannot install a handler for signal " + Kick.SIGNAL + ": " + e.getMessage();
        }
    }

    /** The address of the current handler of the kick signal (0: the default action). */
    public static long currentHandler() {
        NativeLibrary libc = NativeLibrary.getInstance("c");
        Memory old = new Memory(SIGACTION_BYTES);
        old.clear();
        libc.getFunction("sigaction").invokeInt(new Object[] {Kick.SIGNAL, null, old});
        return Pointer.nativeValue(old.getPointer(0));
    }
}
