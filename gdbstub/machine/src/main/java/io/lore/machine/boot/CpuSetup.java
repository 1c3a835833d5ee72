package io.lore.machine.boot;

import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Segment;
import io.lore.kvm.Sregs;

/** Puts the vCPU in the state each boot protocol promises the kernel at its entry point. */
public final class CpuSetup {
    private static final long CR0_PE = 1, CR0_ET = 0x10, CR0_NE = 0x20, CR0_PG = 0x80000000L;
    private static final long CR4_PAE = 0x20;
    private static final long EFER_LME = 0x100, EFER_LMA = 0x400;
    private static final int TYPE_CODE_RX_ACCESSED = 0xb, TYPE_DATA_RW_ACCESSED = 0x3, TYPE_TSS_BUSY = 0xb;

    private CpuSetup() {}

    public static void apply(KvmVcpu vcpu, BootImage image) {
        Sregs s = vcpu.getSregs();
        boolean longMode = image.kind() == BootImage.Kind.LINUX64;
        Segment code = longMode
                ? new Segment(0, 0xffffffff, BootLayout.CODE64_SELECTOR, TYPE_CODE_RX_ACCESSED, true, false, true, true)
                : new Segment(0, 0xffffffff, BootLayout.CODE32_SELECTOR, TYPE_CODE_RX_ACCESSED, true, true, false, true);
        copy(code, s.cs);
        for (Segment d : new Segment[] {s.ds, s.es, s.fs, s.gs, s.ss}) {
            copy(new Segment(0, 0xffffffff, BootLayout.DATA_SELECTOR, TYPE_DATA_RW_ACCESSED, true, true, false, true), d);
        }
        Segment tr = new Segment(0, 0x67, BootLayout.TSS_SELECTOR, TYPE_TSS_BUSY, false, false, false, false);
        copy(tr, s.tr);
        s.ldt.unusable = false;
        s.gdtBase = BootLayout.GDT;
        s.gdtLimit = GdtSetup.limit();
        s.idtBase = 0;
        s.idtLimit = 0;
        if (longMode) {
            s.cr3 = BootLayout.PML4;
            s.cr4 = CR4_PAE;
            s.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
            s.efer = EFER_LME | EFER_LMA;
        } else {
            s.cr3 = 0;
            s.cr4 = 0;
            s.cr0 = CR0_PE | CR0_ET;
            s.efer = 0;
        }
        vcpu.setSregs(s);

        Regs r = new Regs();
        r.rip(image.entry());
        r.rflags(0x2);
        r.set(longMode ? Regs.RSI : Regs.RBX, image.bootInfo());
        vcpu.setRegs(r);
    }

    private static void copy(Segment from, Segment to) {
        to.base = from.base;
        to.limit = from.limit;
        to.selector = from.selector;
        to.type = from.type;
        to.present = from.present;
        to.dpl = 0;
        to.db = from.db;
        to.s = from.s;
        to.l = from.l;
        to.g = from.g;
        to.avl = false;
        to.unusable = false;
    }
}
