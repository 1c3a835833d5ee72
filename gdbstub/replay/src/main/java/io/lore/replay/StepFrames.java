package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Sregs;
import io.lore.machine.PageWalker;
import io.lore.replay.checkpoint.DirtyPageTracker;

/**
 * Undoes what a single step leaves in the guest when the stepped instruction raises an
 * exception. KVM single-steps by setting RFLAGS.TF, and the CPU pushes RFLAGS into the
 * exception frame as it is: the handler's IRET would then restore TF into the guest, which
 * takes debug traps of its own from there, and the frame on the stack differs from the recorded
 * run's in any case (the instant cannot be found again by its memory digest). After each single
 * step that moved the stack down by a frame or more, this looks for the long-mode frame of a
 * fault raised at the stepped instruction (RIP, CS, RFLAGS with TF, RSP, just above the new
 * stack pointer) and clears the TF the guest did not have.
 */
final class StepFrames {
    private static final long TF = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
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
    private long fixed;

    StepFrames(KvmVcpu vcpu, GuestMemory memory, DirtyPageTracker tracker) {
        this.vcpu = vcpu;
        this.memory = memory;
        this.tracker = tracker;
    }

    /** Before a single-stepped run, while the registers the last run left are current. */
    void beforeStep() {
        vcpu.getRegs(regs);
        vcpu.getSregs(sregs);
        rip = regs.rip();
        rsp = regs.rsp();
        rflags = regs.get(Regs.RFLAGS);
        cs = (sregs.efer & EFER_LMA) != 0 ? sregs.cs.selector : -1; // long mode only
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
                long savedRsp = word(frame + 24);
                if ((pushed & TF) != 0 && (savedRsp == rsp)) {
                    write(flagsAt, pushed & ~TF);
                    fixed++;
                }
                return;
            }
        }
    }

    /** Exception frames fixed so far. */
    long fixed() {
        return fixed;
    }

    private long word(long va) {
        long pa = PageWalker.translate(memory, sregs, va);
        return pa >= 0 && memory.contains(pa, 8) ? memory.readLong(pa) : ~rip; // ~rip matches no RIP
    }

    private void write(long va, long value) {
        long pa = PageWalker.translate(memory, sregs, va);
        memory.writeLong(pa, value);
        tracker.hostWrote(pa, 8); // KVM logs only what the guest writes
    }
}
