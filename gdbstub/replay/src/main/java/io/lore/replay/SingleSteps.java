package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Sregs;
import io.lore.machine.PageWalker;
import io.lore.replay.checkpoint.DirtyPageTracker;

/**
 * What a single step on this host's KVM gets wrong, made up for around each single-stepped run
 * (the registers are read once, before it, while the last run's copy in the run area is current):
 * <ul>
 * <li>A single step over HLT ends with a debug exit past it, never with the HLT exit the
 * recording has (its event and the interrupt that ends the halt would be missed, the guest
 * running on as if HLT were a NOP). HLT exits at once anyway: {@link #mayStep} says to run it
 * without the step.
 * <li>KVM single-steps by setting RFLAGS.TF, and the CPU pushes RFLAGS into an exception frame
 * as it is: the handler's IRET would restore TF into the guest, which then takes debug traps of
 * its own, and the frame differs from the recorded run's in any case (the instant cannot be
 * found again by its memory digest). After a single step whose stack took a frame (or was
 * switched), {@link #afterStep} looks for the long-mode frame of a fault raised at the stepped
 * instruction (RIP, CS, RFLAGS with TF, RSP, just above the new stack pointer) and clears the
 * TF the guest did not have.
 * </ul>
 */
final class SingleSteps {
    private static final long TF = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    private static final byte HLT = (byte) 0xf4;
    /** RIP, CS, RFLAGS, RSP, SS: what a long-mode exception pushes (after aligning RSP). */
    private static final int FRAME_BYTES = 5 * 8;
    /** Words the handler's first instruction and an error code may have pushed below the frame. */
    private static final int SLACK_WORDS = 4;

    private final KvmVcpu vcpu;
    private final GuestMemory memory;
    private final DirtyPageTracker tracker;
    private final Regs regs = new Regs();
    private final Sregs sregs = new Sregs();
    private long rip, rsp, rflags, cs = -1;

    SingleSteps(KvmVcpu vcpu, GuestMemory memory, DirtyPageTracker tracker) {
        this.vcpu = vcpu;
        this.memory = memory;
        this.tracker = tracker;
    }

    /**
     * Before a run planned to single-step: false if it must run without the step (the next
     * instruction is HLT). Otherwise remembers where the step starts, for {@link #afterStep}.
     */
    boolean mayStep() {
        vcpu.getRegs(regs);
        vcpu.getSregs(sregs);
        rip = regs.rip();
        rsp = regs.rsp();
        rflags = regs.get(Regs.RFLAGS);
        boolean longMode = (sregs.efer & EFER_LMA) != 0;
        cs = longMode ? sregs.cs.selector : -1; // frames are fixed in long mode only
        long linear = longMode ? rip : (sregs.cs.base + rip) & 0xffffffffL;
        byte[] b = PageWalker.readVirtual(memory, sregs, linear, 1);
        return b == null || b[0] != HLT;
    }

    /** After the single-stepped run's debug exit. */
    void afterStep() {
        if (cs < 0 || (rflags & TF) != 0) {
            return; // not long mode, or the guest traces itself: its TF belongs in the frame
        }
        long now = vcpu.getRegs(regs).rsp();
        vcpu.getSregs(sregs);
        if (Long.compareUnsigned(now, rsp - FRAME_BYTES) > 0 && sregs.cs.selector == cs) {
            return; // the stack did not take a frame, nor was it switched: no exception
        }
        for (int w = 0; w <= SLACK_WORDS; w++) {
            long frame = now + 8L * w;
            if (word(frame) == rip && word(frame + 8) == cs) {
                long flagsAt = frame + 16;
                long pushed = word(flagsAt);
                if ((pushed & TF) != 0 && word(frame + 24) == rsp) {
                    write(flagsAt, pushed & ~TF);
                }
                return;
            }
        }
    }

    /** The word at guest-virtual {@code va}, or ~rip (no RIP) where it cannot be read. */
    private long word(long va) {
        long pa = PageWalker.translate(memory, sregs, va);
        return pa >= 0 && memory.contains(pa, 8) ? memory.readLong(pa) : ~rip;
    }

    private void write(long va, long value) {
        long pa = PageWalker.translate(memory, sregs, va);
        memory.writeLong(pa, value);
        tracker.hostWrote(pa, 8); // KVM logs only what the guest writes
    }
}
