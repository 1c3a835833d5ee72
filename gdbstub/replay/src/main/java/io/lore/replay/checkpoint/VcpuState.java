package io.lore.replay.checkpoint;

import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.RunArea;
import io.lore.kvm.Segment;
import io.lore.kvm.Sregs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything KVM holds about one vCPU that a guest's future depends on, as an immutable value:
 * general registers, special registers (segments, descriptor tables, CR0-4, CR8, EFER, APIC
 * base, the injected-interrupt bitmap), the FPU/SSE/AVX state (XSAVE, or the legacy FPU area
 * where KVM has no XSAVE), XCR0, pending and injected events (exception, interrupt, NMI,
 * interrupt shadow, SMM), the guest's debug registers, and the MSRs of
 * {@link VcpuStateSupport#CANDIDATE_MSRS} that KVM accepts.
 *
 * <p>Not part of it: {@code KVM_SET_GUEST_DEBUG} settings (breakpoints and single-stepping are
 * the debugger's, not the guest's), the run loop's interrupt-window request, and devices.
 *
 * <h2>Pending exits</h2>
 * After a PIO IN (or MMIO read) exit the instruction is not finished: KVM completes it at the
 * start of the next KVM_RUN from the data user space left in the run area (on this host the
 * emulator re-enters with its saved context and writes the registers back). So {@link #capture}
 * first completes it (KVM_RUN with {@code immediate_exit} set: KVM finishes pending operations
 * and returns EINTR without running guest code): the state captured is the one after the exit
 * was fully handled, with RIP past the instruction. {@link #restore} does the same before it
 * writes anything, or the stale completion would overwrite the restored registers at the next
 * entry.
 *
 * <h2>Restore order</h2>
 * QEMU's ({@code kvm_arch_put_registers}): registers, XSAVE/FPU, XCRs, special registers, MSRs,
 * events, debug registers. Events come after registers and special registers because
 * KVM_SET_REGS drops a pending exception and KVM_SET_SREGS queues the interrupt named in its
 * interrupt bitmap; MSRs after special registers (EFER is set with them, and KVM_SET_SREGS may
 * reset the MMU context). Guest memory must be restored before (KVM_SET_SREGS reads the PDPTEs
 * from memory in PAE mode). Then the run area is brought up to date: {@code kvm_run.cr8} (KVM
 * loads CR8 from it on every entry) and, through one more immediate exit, the interrupt-window
 * flags ({@code if_flag}, {@code ready_for_interrupt_injection}) the run loop decides injection
 * by.
 *
 * <h2>Comparing</h2>
 * {@link #differences} and {@link #equals} compare everything, the XSAVE area up to the in-use
 * bits of x87/SSE/AVX state that is in its initial configuration ({@link #canonicalXsave}).
 *
 * <h2>TSC</h2>
 * The TSC MSR is saved and written back, but KVM treats a host write close (within a second) to
 * the value it expects as a request to keep vCPUs synchronized and may keep its own offset, so
 * the TSC is not guaranteed to go back. Nothing LoRe replays reads it without lore.ko anyway.
 */
public final class VcpuState {
    private final Regs regs;
    private final Sregs sregs;
    private final byte[] xsave; // trailing zeros left out (most of the 4 KiB area is unused)
    private final int xsaveLength;
    private final byte[] fpu;
    private final byte[] xcrs;
    private final byte[] events;
    private final byte[] debugRegs;
    private final int[] msrIndices;
    private final long[] msrValues;

    private VcpuState(Regs regs, Sregs sregs, byte[] xsave, byte[] fpu, byte[] xcrs, byte[] events, byte[] debugRegs,
            int[] msrIndices, long[] msrValues) {
        this.regs = regs;
        this.sregs = sregs;
        this.xsaveLength = xsave == null ? 0 : xsave.length;
        this.xsave = xsave == null ? null : trimmed(xsave);
        this.fpu = fpu;
        this.xcrs = xcrs;
        this.events = events;
        this.debugRegs = debugRegs;
        this.msrIndices = msrIndices;
        this.msrValues = msrValues;
    }

    /** Captures {@code vcpu}, probing what KVM supports first (a store probes once and reuses it). */
    public static VcpuState capture(KvmVcpu vcpu) {
        return capture(vcpu, VcpuStateSupport.probe(null, vcpu));
    }

    /**
     * Completes a pending exit, then reads the state. Call it on the vCPU thread where the vCPU
     * is not running, with the last exit already handled (for an IN, its data in the run area).
     */
    public static VcpuState capture(KvmVcpu vcpu, VcpuStateSupport support) {
        completePendingExit(vcpu);
        return read(vcpu, support);
    }

    /** Reads the state as KVM has it (the caller has completed any pending exit). */
    static VcpuState read(KvmVcpu vcpu, VcpuStateSupport support) {
        byte[] events = support.events() ? vcpu.getVcpuEvents() : null;
        Regs regs = vcpu.getRegs();
        byte[] xsave = support.xsave() ? vcpu.getXsave() : null;
        byte[] fpu = support.xsave() ? null : vcpu.getFpu();
        byte[] xcrs = support.xcrs() ? vcpu.getXcrs() : null;
        Sregs sregs = vcpu.getSregs();
        int[] msrs = support.msrsShared();
        long[] values = msrs.length == 0 ? new long[0] : vcpu.getMsrs(msrs);
        byte[] debug = support.debugRegs() ? vcpu.getDebugRegs() : null;
        return new VcpuState(regs, sregs, xsave, fpu, xcrs, events, debug, msrs.clone(), values);
    }

    /** Puts this state into {@code vcpu} (see the class comment for the order and the run area). */
    public void restore(KvmVcpu vcpu) {
        completePendingExit(vcpu);
        vcpu.setRegs(regs);
        if (xsave != null) {
            vcpu.setXsave(Arrays.copyOf(xsave, xsaveLength));
        } else {
            vcpu.setFpu(fpu);
        }
        if (xcrs != null) {
            vcpu.setXcrs(xcrs);
        }
        vcpu.setSregs(sregs);
        if (msrIndices.length > 0) {
            vcpu.setMsrs(msrIndices, msrValues);
        }
        if (events != null) {
            vcpu.setVcpuEvents(events);
        }
        if (debugRegs != null) {
            vcpu.setDebugRegs(debugRegs);
        }
        vcpu.runArea().cr8(sregs.cr8);
        enterAndLeave(vcpu); // nothing pending now: refreshes the run area's interrupt flags
    }

    /**
     * Finishes the instruction of the last exit if KVM may still have it pending: after a PIO or
     * MMIO exit (on standard KVM an OUT too: RIP is advanced only at the next entry), KVM_RUN with
     * {@code immediate_exit} set, which completes it and runs no guest code. That KVM_RUN consumes
     * a pending kick signal, like any KVM_RUN that returns EINTR: a run loop waiting for a kick at a
     * deadline sees the deadline at its next exit instead.
     */
    public static void completePendingExit(KvmVcpu vcpu) {
        int last = vcpu.runArea().exitReason();
        if (last == io.lore.kvm.ExitReason.IO || last == io.lore.kvm.ExitReason.MMIO) {
            enterAndLeave(vcpu);
        }
    }

    /** KVM_RUN with {@code immediate_exit}: completes pending work and refreshes the run area. */
    private static void enterAndLeave(KvmVcpu vcpu) {
        RunArea run = vcpu.runArea();
        run.immediateExit(true);
        try {
            int reason = vcpu.run();
            if (reason != io.lore.kvm.ExitReason.INTR) {
                // Completing a string I/O instruction needed another exit: KVM stopped again
                // with work for user space, which only the run loop can do.
                throw new IllegalStateException("the vCPU has an unfinished "
                        + io.lore.kvm.ExitReason.name(reason) + " exit (a string I/O instruction?): "
                        + "let the run loop handle it before saving or restoring the vCPU");
            }
        } finally {
            run.immediateExit(false);
        }
    }

    public Regs regs() { return regs.copy(); }
    public Sregs sregs() { return copy(sregs); }
    /** The XSAVE area, or null where KVM has no XSAVE (then {@link #fpu()} has the state). */
    public byte[] xsave() { return xsave == null ? null : Arrays.copyOf(xsave, xsaveLength); }
    public byte[] fpu() { return fpu == null ? null : fpu.clone(); }
    public byte[] xcrs() { return xcrs == null ? null : xcrs.clone(); }
    public byte[] events() { return events == null ? null : events.clone(); }
    public byte[] debugRegs() { return debugRegs == null ? null : debugRegs.clone(); }
    public int[] msrIndices() { return msrIndices.clone(); }

    /** The saved value of MSR {@code index}. */
    public long msr(int index) {
        for (int i = 0; i < msrIndices.length; i++) {
            if (msrIndices[i] == index) {
                return msrValues[i];
            }
        }
        throw new IllegalArgumentException(String.format("MSR 0x%x is not saved", index));
    }

    /** Bytes of state held (for memory accounting). */
    public int sizeBytes() {
        return 18 * 8 + 312 + len(xsave) + len(fpu) + len(xcrs) + len(events) + len(debugRegs) + 12 * msrIndices.length;
    }

    private static byte[] trimmed(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(b, n);
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** What differs from {@code other}, one entry per part; MSRs in {@code ignoredMsrs} are not compared. */
    public List<String> differences(VcpuState other, int... ignoredMsrs) {
        List<String> d = new ArrayList<>();
        if (!regs.equals(other.regs)) {
            d.add("regs:\n" + regs + "\nvs\n" + other.regs);
        }
        if (!sregsEqual(sregs, other.sregs)) {
            d.add("sregs:\n" + sregs + "\nvs\n" + other.sregs);
        }
        blob(d, "xsave", canonicalXsave(xsave()), canonicalXsave(other.xsave()));
        blob(d, "fpu", fpu, other.fpu);
        blob(d, "xcrs", xcrs, other.xcrs);
        blob(d, "events", events, other.events);
        blob(d, "debugregs", debugRegs, other.debugRegs);
        if (!Arrays.equals(msrIndices, other.msrIndices)) {
            d.add("different MSR sets");
        } else {
            for (int i = 0; i < msrIndices.length; i++) {
                int index = msrIndices[i];
                if (msrValues[i] != other.msrValues[i] && Arrays.stream(ignoredMsrs).noneMatch(m -> m == index)) {
                    d.add(String.format("MSR 0x%x: %x vs %x", index, msrValues[i], other.msrValues[i]));
                }
            }
        }
        return d;
    }

    /**
     * The XSAVE area with the XSTATE_BV bits of x87, SSE and AVX state cleared where that state
     * is in its initial configuration. Whether the CPU reports such a component as in use is
     * implementation-defined (its XINUSE tracking), so the same architectural state can come back
     * from KVM_GET_XSAVE with different bits: after a restore this host reported SSE as not in use
     * where the saved area had it in use with all XMM registers zero.
     */
    static byte[] canonicalXsave(byte[] x) {
        if (x == null || x.length < 576) {
            return x;
        }
        byte[] c = x.clone();
        ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        long bv = b.getLong(512);
        boolean x87Init = b.getShort(0) == 0x037f && b.getShort(2) == 0 && b.get(4) == 0 && b.getShort(6) == 0
                && b.getLong(8) == 0 && b.getLong(16) == 0 && allZero(c, 32, 128);
        if (x87Init) {
            bv &= ~1L;
        }
        if (allZero(c, 160, 256)) { // XMM0-15
            bv &= ~2L;
        }
        if (c.length >= 576 + 256 && allZero(c, 576, 256)) { // upper halves of YMM0-15
            bv &= ~4L;
        }
        b.putLong(512, bv);
        return c;
    }

    private static boolean allZero(byte[] a, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void blob(List<String> d, String name, byte[] a, byte[] b) {
        if (!Arrays.equals(a, b)) {
            if (a == null || b == null) {
                d.add(name + " (present in one only)");
                return;
            }
            StringBuilder sb = new StringBuilder(name).append(" differs at bytes");
            int shown = 0;
            for (int i = 0; i < Math.min(a.length, b.length) && shown < 8; i++) {
                if (a[i] != b[i]) {
                    sb.append(String.format(" %d (%02x vs %02x)", i, a[i] & 0xff, b[i] & 0xff));
                    shown++;
                }
            }
            d.add(sb.toString());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VcpuState && differences((VcpuState) o).isEmpty();
    }

    @Override
    public int hashCode() {
        return Objects.hash(regs, Arrays.hashCode(canonicalXsave(xsave())), Arrays.hashCode(fpu), Arrays.hashCode(msrValues), sregs.cr3,
                sregs.cs.selector);
    }

    @Override
    public String toString() {
        return String.format("vCPU at rip %x (cr3 %x), %d bytes", regs.rip(), sregs.cr3, sizeBytes());
    }

    // Sregs has public fields but no copy or equality of its own.

    static Sregs copy(Sregs s) {
        Sregs c = new Sregs();
        Segment[] from = segments(s);
        Segment[] to = segments(c);
        for (int i = 0; i < from.length; i++) {
            copy(from[i], to[i]);
        }
        c.gdtBase = s.gdtBase;
        c.gdtLimit = s.gdtLimit;
        c.idtBase = s.idtBase;
        c.idtLimit = s.idtLimit;
        c.cr0 = s.cr0;
        c.cr2 = s.cr2;
        c.cr3 = s.cr3;
        c.cr4 = s.cr4;
        c.cr8 = s.cr8;
        c.efer = s.efer;
        c.apicBase = s.apicBase;
        System.arraycopy(s.interruptBitmap, 0, c.interruptBitmap, 0, s.interruptBitmap.length);
        return c;
    }

    static boolean sregsEqual(Sregs a, Sregs b) {
        Segment[] sa = segments(a);
        Segment[] sb = segments(b);
        for (int i = 0; i < sa.length; i++) {
            if (!segmentEqual(sa[i], sb[i])) {
                return false;
            }
        }
        return a.gdtBase == b.gdtBase && a.gdtLimit == b.gdtLimit && a.idtBase == b.idtBase && a.idtLimit == b.idtLimit
                && a.cr0 == b.cr0 && a.cr2 == b.cr2 && a.cr3 == b.cr3 && a.cr4 == b.cr4 && a.cr8 == b.cr8
                && a.efer == b.efer && a.apicBase == b.apicBase && Arrays.equals(a.interruptBitmap, b.interruptBitmap);
    }

    private static Segment[] segments(Sregs s) {
        return new Segment[] {s.cs, s.ds, s.es, s.fs, s.gs, s.ss, s.tr, s.ldt};
    }

    private static void copy(Segment f, Segment t) {
        t.base = f.base;
        t.limit = f.limit;
        t.selector = f.selector;
        t.type = f.type;
        t.present = f.present;
        t.s = f.s;
        t.l = f.l;
        t.g = f.g;
        t.avl = f.avl;
        t.unusable = f.unusable;
        t.db = f.db;
        t.dpl = f.dpl;
    }

    private static boolean segmentEqual(Segment a, Segment b) {
        return a.base == b.base && a.limit == b.limit && a.selector == b.selector && a.type == b.type
                && a.present == b.present && a.s == b.s && a.l == b.l && a.g == b.g && a.avl == b.avl
                && a.unusable == b.unusable && a.db == b.db && a.dpl == b.dpl;
    }
}
