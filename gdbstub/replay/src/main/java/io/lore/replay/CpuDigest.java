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
    private final CRC32C crc = new CRC32C();
    private final byte[] fpu = new byte[KvmVcpu.FPU_STATE_BYTES];

    public CpuDigest(KvmVcpu vcpu) {
        this.vcpu = vcpu;
    }

    /** General registers as a StatePoint holds them. */
    public long[] generalRegisters() {
        return generalRegisters(new long[io.lore.log.StatePoint.REGS]);
    }

    /** The same, into {@code r} (the recorder's vCPU path allocates nothing). */
    public long[] generalRegisters(long[] r) {
        vcpu.getRegs(regs);
        for (int i = 0; i < r.length; i++) {
            r[i] = regs.get(i);
        }
        return r;
    }

    /** Control registers, EFER, segments and descriptor tables, and the FPU/SSE state. */
    public long systemHash() {
        vcpu.getSregs(sregs);
        long h = 0x9e3779b97f4a7c15L;
        h = MemoryDigest.mix(h ^ sregs.cr0);
        h = MemoryDigest.mix(h ^ sregs.cr3);
        h = MemoryDigest.mix(h ^ sregs.cr4);
        h = MemoryDigest.mix(h ^ sregs.cr8);
        h = MemoryDigest.mix(h ^ sregs.efer);
        h = MemoryDigest.mix(h ^ sregs.gdtBase);
        h = MemoryDigest.mix(h ^ sregs.gdtLimit);
        h = MemoryDigest.mix(h ^ sregs.idtBase);
        h = MemoryDigest.mix(h ^ sregs.idtLimit);
        h = mix(h, sregs.cs);
        h = mix(h, sregs.ds);
        h = mix(h, sregs.es);
        h = mix(h, sregs.fs);
        h = mix(h, sregs.gs);
        h = mix(h, sregs.ss);
        h = mix(h, sregs.tr);
        crc.reset();
        crc.update(vcpu.getFpu(fpu));
        return MemoryDigest.mix(h ^ crc.getValue());
    }

    private static long mix(long h, Segment s) {
        return MemoryDigest.mix(h ^ s.base ^ ((long) s.selector << 48) ^ ((long) s.limit << 16) ^ s.type);
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
