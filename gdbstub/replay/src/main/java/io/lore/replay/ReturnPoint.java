package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Sregs;
import io.lore.machine.PageWalker;

/**
 * Moves an interrupt that arrived while the guest computes to a point replay finds quickly.
 * Replay finds a point positioned by state with a breakpoint at its RIP, and pays for every
 * pass of that RIP since the last exit: a kick lands mostly in the innermost loop, passed
 * dozens of times. The return address of the current function is passed far less often, so
 * the recorder waits (briefly, see {@code RecordSession#interruptDelay}; then the loop kicks again) for the guest to return there and
 * injects at that instant instead. The address is only a guess read off the stack — a wrong
 * guess costs time, never exactness: the point is named by its full state either way.
 */
final class ReturnPoint {
    /** Stack words looked at, from RSP up: the current frame's locals and saved registers. */
    static final int STACK_WORDS = 32;
    /**
     * Waits for a return per interrupt; then one more, the last chance, only for a return
     * address not waited for in vain already (see {@link #waitForReturn}).
     */
    static final int ATTEMPTS = 2;

    private static final long DR7_LOCAL_EXEC_SLOT0 = 0x401;

    private final KvmVcpu vcpu;
    private final GuestMemory memory;
    private final long[] dr = new long[8];
    private long armed = -1;
    /** Waits this interrupt has had (the last chance aside). */
    private int tries;
    private boolean lastChanceTaken;
    /** The return address this interrupt last waited for in vain, or -1. */
    private long missed = -1;
    private long moved;

    ReturnPoint(KvmVcpu vcpu, GuestMemory memory) {
        this.vcpu = vcpu;
        this.memory = memory;
    }

    /**
     * Called at an exit that is not synchronous with an interrupt waiting: arms a breakpoint at
     * the return address and returns true (defer), unless no return address is found or this
     * interrupt has had its waits. A second wait helps when the first kick found the guest in a
     * function that does not return soon (a thread's main loop) and the second finds it in a
     * short callee; either wait also lets the guest reach an exit. After {@link #ATTEMPTS} waits
     * one last chance is given only if the guest is now in a function it was not waiting for
     * (the demo: in the short {@code memset} its thread loop calls; a byte loop whose every
     * pass replay would otherwise search, ~300 breakpoint hits, against ~5 at its return). A
     * loop that neither exits nor returns gets no more: the same return address again.
     */
    boolean waitForReturn(Sregs s, long rsp) {
        if (exhausted()) { // spare the stack scan
            return false;
        }
        long target = find(memory, s, rsp);
        if (target < 0 || !mayWaitFor(target)) {
            return false;
        }
        dr[0] = target;
        dr[7] = DR7_LOCAL_EXEC_SLOT0;
        vcpu.setGuestDebug(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_USE_HW_BP, dr);
        armed = target;
        return true;
    }

    /** The waits and the last chance are spent. */
    private boolean exhausted() {
        return tries >= ATTEMPTS && lastChanceTaken;
    }

    /** The rule of {@link #waitForReturn}, counting the wait it allows. */
    boolean mayWaitFor(long target) {
        if (tries < ATTEMPTS) {
            tries++;
            return true;
        }
        if (exhausted() || target == missed) {
            return false;
        }
        lastChanceTaken = true;
        return true;
    }

    /**
     * At every exit: disarms (a breakpoint left armed would fire again at once, this host does
     * not honour RF). True if the exit is the arrival at the return point.
     */
    boolean onExit(boolean debugExit, long rip) {
        if (armed < 0) {
            return false;
        }
        boolean arrived = debugExit && rip == armed;
        vcpu.setGuestDebug(0, null);
        if (arrived) {
            moved++;
        } else {
            missedReturn(armed);
        }
        armed = -1;
        return arrived;
    }

    /** The guest left the wait (a kick, an exit) without reaching {@code target}. */
    void missedReturn(long target) {
        missed = target;
    }

    boolean armed() {
        return armed >= 0;
    }

    /** The interrupt was injected: the next one may wait again. */
    void injected() {
        tries = 0;
        lastChanceTaken = false;
        missed = -1;
    }

    /** Interrupts moved to a return point so far. */
    long moved() {
        return moved;
    }

    /**
     * The nearest word on the stack that looks like a return address: it follows a CALL
     * instruction in mapped code. -1 if none is found.
     */
    static long find(GuestMemory mem, Sregs s, long rsp) {
        byte[] stack = PageWalker.readVirtual(mem, s, rsp, STACK_WORDS * 8);
        if (stack == null) {
            return -1;
        }
        for (int i = 0; i + 8 <= stack.length; i += 8) {
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                v = v << 8 | (stack[i + b] & 0xff);
            }
            if (v > 8) {
                byte[] code = PageWalker.readVirtual(mem, s, v - 7, 7);
                if (code != null && followsCall(code)) {
                    return v;
                }
            }
        }
        return -1;
    }

    /** True if the 7 bytes before an address end with a CALL: E8 rel32, or FF /2 in its usual forms. */
    static boolean followsCall(byte[] before) {
        int n = before.length;
        if ((before[n - 5] & 0xff) == 0xe8) {
            return true; // call rel32
        }
        return indirectCall(before, n - 2, 0xc0) // call reg
                || indirectCall(before, n - 3, 0x40) // call [reg+disp8]
                || indirectCall(before, n - 6, 0x80) // call [reg+disp32]
                || ((before[n - 6] & 0xff) == 0xff && (before[n - 5] & 0xff) == 0x15) // call [rip+disp32]
                || indirectCall(before, n - 2, 0x00); // call [reg]
    }

    private static boolean indirectCall(byte[] code, int at, int mod) {
        if (at < 0) {
            return false;
        }
        int modrm = code[at + 1] & 0xff;
        return (code[at] & 0xff) == 0xff && (modrm & 0xc0) == mod && (modrm & 0x38) == 0x10
                && (mod != 0 || ((modrm & 7) != 4 && (modrm & 7) != 5)); // no SIB or RIP-relative forms there
    }
}
