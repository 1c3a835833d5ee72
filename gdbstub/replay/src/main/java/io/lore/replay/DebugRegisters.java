package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.log.StatePoint;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The replay's use of the four x86 debug registers (through KVM_SET_GUEST_DEBUG, invisible to
 * the guest) as instruction breakpoints. Slot 0 is the interrupt-positioning breakpoint when
 * one is needed, then the goal's breakpoints; breakpoints that do not fit are checked by
 * address while single-stepping. (Watchpoints use memory holes instead, see
 * {@code RamSlots}: this host's KVM ignores data breakpoints in the kernel code it emulates.)
 */
final class DebugRegisters {
    static final int SLOTS = 4;
    /** Exceptions whose handler entries a single step watches when slots are free: #PF, #GP, #UD, #DE. */
    static final int[] FAULT_VECTORS = {14, 13, 6, 0};
    private static final long DR7_RESERVED_ONE = 0x400;

    private final KvmVcpu vcpu;
    private final GuestMemory memory;
    // the current plan
    private final long[] slotAddress = new long[SLOTS];
    private final boolean[] slotExec = new boolean[SLOTS];
    private long[] breakpoints = ReplayCursor.NONE;
    // what KVM has
    private int appliedMode = -1;
    private final long[] appliedDr = new long[8];
    /** The next plan's debug registers: reused, since a plan is made before every KVM_RUN. */
    private final long[] planned = new long[8];
    /** The plan {@link #arm()} hands to KVM: GUESTDBG_* bits and debug registers (or null). */
    private int intendedMode;
    private long[] intendedDr;
    /** For reading the IDT when fault-handler entries are planned. */
    private final io.lore.kvm.Sregs sregs = new io.lore.kvm.Sregs();

    DebugRegisters(KvmVcpu vcpu, GuestMemory memory) {
        this.vcpu = vcpu;
        this.memory = memory;
    }

    /**
     * Plans the next KVM_RUN: {@code target} (may be null) in slot 0, then the goal's
     * breakpoints, then (for a single step) the entries of fault handlers; single steps if
     * {@code step}, if a breakpoint did not fit, or if the guest sits
     * on an armed breakpoint it must leave first ({@code rip} non-null: the current instant was
     * already seen, and supplies the address). KVM gets the plan with {@link #arm()}: until then
     * the registers the last run left in the run area stay readable without an ioctl.
     */
    void plan(StatePoint target, ReplayCursor.Goal goal, boolean step, LongSupplier rip) {
        long[] bps = goal.breakpoints();
        if (target == null && bps.length == 0 && !step) { // the plain replay's usual case: nothing to arm
            clearSlots();
            breakpoints = bps;
            intend(0, null);
            return;
        }
        clearSlots();
        int next = 0;
        if (target != null) {
            setExec(next++, target.rip());
        }
        breakpoints = bps;
        boolean overflow = false;
        for (long b : breakpoints) {
            if (next < SLOTS) {
                setExec(next++, b);
            } else {
                overflow = true;
            }
        }
        if (step) {
            // A single step of an instruction that faults would end one instruction into the
            // handler on this host: the handler's entry, where a breakpoint stops, is an instant
            // too. Free slots catch the commonest faults there.
            vcpu.getSregs(sregs);
            for (int i = 0; i < FAULT_VECTORS.length && next < SLOTS; i++) {
                long entry = io.lore.machine.Idt.handler(memory, sregs, FAULT_VECTORS[i]);
                if (entry >= 0) {
                    setExec(next++, entry);
                }
            }
        }
        boolean stepping = step || overflow;
        long dr7 = DR7_RESERVED_ONE;
        long[] dr = planned;
        Arrays.fill(dr, 0);
        long here = 0;
        boolean haveHere = false;
        for (int i = 0; i < SLOTS; i++) {
            if (!slotExec[i]) {
                continue;
            }
            if (rip != null) {
                if (!haveHere) {
                    here = rip.getAsLong();
                    haveHere = true;
                }
                if (slotAddress[i] == here) {
                    stepping = true; // leave the instruction before its breakpoint can fire again
                    continue;
                }
            }
            dr[i] = slotAddress[i];
            dr7 |= enableBits(i);
        }
        boolean hw = dr7 != DR7_RESERVED_ONE;
        int mode = hw || stepping ? KvmVcpu.GUESTDBG_ENABLE : 0;
        if (hw) {
            mode |= KvmVcpu.GUESTDBG_USE_HW_BP;
            dr[7] = dr7;
        }
        if (stepping) {
            mode |= KvmVcpu.GUESTDBG_SINGLESTEP;
        }
        intend(mode, hw ? dr : null);
    }

    private void intend(int mode, long[] dr) {
        intendedMode = mode;
        intendedDr = dr;
    }

    /** Whether the plan single-steps. */
    boolean stepPlanned() {
        return (intendedMode & KvmVcpu.GUESTDBG_SINGLESTEP) != 0;
    }

    /** The plan without its single step; its breakpoints stay. */
    void withoutStep() {
        intendedMode &= ~KvmVcpu.GUESTDBG_SINGLESTEP;
        if ((intendedMode & KvmVcpu.GUESTDBG_USE_HW_BP) == 0) {
            intend(0, null);
        }
    }

    /** Hands the plan to KVM (if it differs from what KVM has). */
    void arm() {
        apply(intendedMode, intendedDr);
    }

    /** Plans the run that delivers an injected interrupt: stops at the handler's first instruction. */
    void planHandlerEntry(long handler, ReplayCursor.Goal goal) {
        clearSlots();
        setExec(0, handler);
        breakpoints = goal.breakpoints();
        long[] dr = planned;
        Arrays.fill(dr, 0);
        dr[0] = handler;
        dr[7] = DR7_RESERVED_ONE | enableBits(0);
        apply(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_USE_HW_BP, dr);
    }

    /** Whether the next KVM_RUN single-steps. */
    boolean stepping() {
        return appliedMode != -1 && (appliedMode & KvmVcpu.GUESTDBG_SINGLESTEP) != 0;
    }

    /** No debugging for the next KVM_RUN. */
    void off() {
        apply(0, null);
    }

    /** KVM's debug state is unknown (the vCPU was restored): the next plan sets it again. */
    void invalidate() {
        appliedMode = -1;
    }

    /** An execution slot fired (DR6 B0..B3). */
    boolean execTriggered(long dr6) {
        for (int i = 0; i < SLOTS; i++) {
            if (slotExec[i] && (dr6 & (1L << i)) != 0) {
                return true;
            }
        }
        return false;
    }

    boolean isUserBreakpoint(long rip) {
        for (long b : breakpoints) {
            if (b == rip) {
                return true;
            }
        }
        return false;
    }

    /** The address of the handler of {@code vector} in the guest's IDT, or -1 ({@link io.lore.machine.Idt#handler}). */
    long handlerOf(int vector) {
        return io.lore.machine.Idt.handler(memory, vcpu.getSregs(), vector);
    }

    private void clearSlots() {
        Arrays.fill(slotExec, false);
    }

    private void setExec(int slot, long address) {
        slotExec[slot] = true;
        slotAddress[slot] = address;
    }

    /** DR7 bits enabling slot {@code i} locally as an instruction breakpoint (R/W and LEN 0). */
    private static long enableBits(int i) {
        return 1L << (2 * i);
    }

    private void apply(int mode, long[] dr) {
        if (mode == appliedMode && (dr == null || Arrays.equals(dr, appliedDr))) {
            return;
        }
        vcpu.setGuestDebug(mode, dr);
        // While debugging, every exit is followed by reads of the registers (arrivals, state
        // checks, the plan of the next run, SingleSteps): have KVM_RUN hand them over, in the run
        // area. Without, no one needs them.
        vcpu.syncRegs(mode != 0);
        appliedMode = mode;
        if (dr != null) {
            System.arraycopy(dr, 0, appliedDr, 0, 8);
        } else {
            Arrays.fill(appliedDr, 0);
        }
    }
}
