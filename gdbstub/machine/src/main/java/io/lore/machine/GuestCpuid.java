package io.lore.machine;

import io.lore.kvm.Cpuid;

/**
 * The processor the guest sees: what KVM supports, minus what would make a run
 * non-deterministic or that this machine does not emulate. RDRAND/RDSEED/RDTSCP would return
 * values replay cannot reproduce; the local APIC, x2APIC and TSC-deadline timer are not
 * emulated (the 8259 PIC is the interrupt controller); KVM's paravirtual leaves are removed so
 * no kvmclock is offered. CMPXCHG16B is hidden because KVMs that emulate guest ring-0 code (this
 * project's build hosts) cannot emulate it; kernels fall back to other code without it.
 */
public final class GuestCpuid {
    private static final int LEAF1_ECX_MONITOR = 1 << 3;
    private static final int LEAF1_ECX_CX16 = 1 << 13;
    private static final int LEAF1_ECX_X2APIC = 1 << 21;
    private static final int LEAF1_ECX_TSC_DEADLINE = 1 << 24;
    private static final int LEAF1_ECX_RDRAND = 1 << 30;
    private static final int LEAF1_EDX_APIC = 1 << 9;
    private static final int LEAF7_EBX_TSC_ADJUST = 1 << 1;
    private static final int LEAF7_EBX_RDSEED = 1 << 18;
    private static final int EXT1_EDX_RDTSCP = 1 << 27;

    private GuestCpuid() {}

    public static Cpuid from(Cpuid supported) {
        Cpuid c = new Cpuid(supported.entries());
        c.removeIf(e -> (e.function & 0xf0000000) == 0x40000000);
        for (Cpuid.Entry e : c.find(1)) {
            e.ecx &= ~(LEAF1_ECX_MONITOR | LEAF1_ECX_CX16 | LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DEADLINE | LEAF1_ECX_RDRAND);
            e.edx &= ~LEAF1_EDX_APIC;
        }
        for (Cpuid.Entry e : c.find(7)) {
            if (e.index == 0) {
                e.ebx &= ~(LEAF7_EBX_RDSEED | LEAF7_EBX_TSC_ADJUST);
            }
        }
        for (Cpuid.Entry e : c.find(0x80000001)) {
            e.edx &= ~EXT1_EDX_RDTSCP;
        }
        return c;
    }
}
