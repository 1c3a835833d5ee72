package io.lore.replay;

import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Segment;
import io.lore.kvm.Sregs;
import java.util.zip.CRC32C;

/** Hashes of vCPU state: the system part (for state points) and everything (for digests). */
public final class CpuDigest {
    private final KvmVcpu vcpu;
    private final Regs regs = new Regs();
    private final Sregs sregs = new Sregs();

    public CpuDigest(KvmVcpu vcpu) {
        this.vcpu = vcpu;
    }

    /** General registers as a StatePoint holds them. */
    public long[] generalRegisters() {
        vcpu.getRegs(regs);
        long[] r = new long[18];
        for (int i = 0; i < r.length; i++) {
            r[i] = regs.get(i);
        }
        return r;
    }

    /** Control registers, EFER, segments and descriptor tables, and the FPU/SSE state. */
    public long systemHash() {
        vcpu.getSregs(sregs);
        long h = 0x9e3779b97f4a7c15L;
        for (long v : new long[] {sregs.cr0, sregs.cr3, sregs.cr4, sregs.cr8, sregs.efer, sregs.gdtBase, sregs.gdtLimit,
            sregs.idtBase, sregs.idtLimit}) {
            h = MemoryDigest.mix(h ^ v);
        }
        for (Segment s : new Segment[] {sregs.cs, sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss, sregs.tr}) {
            h = MemoryDigest.mix(h ^ s.base ^ ((long) s.selector << 48) ^ ((long) s.limit << 16) ^ s.type);
        }
        CRC32C crc = new CRC32C();
        crc.update(vcpu.getFpu());
        return MemoryDigest.mix(h ^ crc.getValue());
    }

    /** Everything: general registers (debug rflags bits aside) and the system hash. */
    public long fullHash() {
        long h = systemHash();
        long[] r = generalRegisters();
        for (int i = 0; i < r.length; i++) {
            long v = i == 17 ? r[i] & ~io.lore.log.StatePoint.RFLAGS_DEBUG_BITS : r[i];
            h = MemoryDigest.mix(h ^ v ^ ((long) i << 56));
        }
        return h;
    }
}
