package io.lore.replay.checkpoint;

import io.lore.kvm.Kvm;
import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;
import java.util.ArrayList;
import java.util.List;

/**
 * Which parts of a vCPU's state this KVM lets us save and restore, probed once per vCPU: XSAVE
 * (else the legacy FPU/SSE area), XCRs, vCPU events, debug registers, and which MSRs of
 * {@link #CANDIDATE_MSRS} KVM accepts.
 */
public final class VcpuStateSupport {
    public static final int MSR_IA32_TSC = 0x10;
    public static final int MSR_IA32_SYSENTER_CS = 0x174;
    public static final int MSR_IA32_SYSENTER_ESP = 0x175;
    public static final int MSR_IA32_SYSENTER_EIP = 0x176;
    public static final int MSR_IA32_MISC_ENABLE = 0x1a0;
    public static final int MSR_IA32_CR_PAT = 0x277;
    public static final int MSR_STAR = 0xc0000081;
    public static final int MSR_LSTAR = 0xc0000082;
    public static final int MSR_CSTAR = 0xc0000083;
    public static final int MSR_SYSCALL_MASK = 0xc0000084;
    public static final int MSR_KERNEL_GS_BASE = 0xc0000102;
    public static final int MSR_TSC_AUX = 0xc0000103;

    /**
     * The MSRs an x86-64 guest's state depends on beyond what KVM_GET_SREGS holds (EFER, FS and
     * GS base are there): TSC, SYSENTER, PAT, SYSCALL, swapgs base, TSC_AUX, MISC_ENABLE.
     */
    public static final int[] CANDIDATE_MSRS = {MSR_IA32_TSC, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
        MSR_IA32_SYSENTER_EIP, MSR_IA32_CR_PAT, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
        MSR_TSC_AUX, MSR_IA32_MISC_ENABLE};

    private final boolean xsave;
    private final boolean xcrs;
    private final boolean events;
    private final boolean debugRegs;
    private final int[] msrs;
    private final List<String> refused;

    private VcpuStateSupport(boolean xsave, boolean xcrs, boolean events, boolean debugRegs, int[] msrs,
            List<String> refused) {
        this.xsave = xsave;
        this.xcrs = xcrs;
        this.events = events;
        this.debugRegs = debugRegs;
        this.msrs = msrs;
        this.refused = List.copyOf(refused);
    }

    /**
     * Probes {@code vcpu} (and the capabilities of {@code kvm}, if not null): every optional part
     * is read once, and each candidate MSR is read alone and, except the TSC (a write would move
     * the guest's clock), written back with the value just read; what KVM refuses is left out.
     * Call it where the vCPU is not running.
     */
    public static VcpuStateSupport probe(Kvm kvm, KvmVcpu vcpu) {
        List<String> refused = new ArrayList<>();
        boolean xsave = part(kvm, Kvm.CAP_XSAVE, "XSAVE", () -> vcpu.getXsave(), refused);
        boolean xcrs = part(kvm, Kvm.CAP_XCRS, "XCRS", () -> vcpu.getXcrs(), refused);
        boolean events = part(kvm, Kvm.CAP_VCPU_EVENTS, "VCPU_EVENTS", () -> vcpu.getVcpuEvents(), refused);
        boolean debug = part(kvm, Kvm.CAP_DEBUGREGS, "DEBUGREGS", () -> vcpu.getDebugRegs(), refused);
        List<Integer> accepted = new ArrayList<>();
        for (int index : CANDIDATE_MSRS) {
            try {
                long[] value = vcpu.getMsrs(new int[] {index});
                if (index != MSR_IA32_TSC) {
                    vcpu.setMsrs(new int[] {index}, value);
                }
                accepted.add(index);
            } catch (KvmException e) {
                refused.add(String.format("MSR 0x%x (%s)", index, e.getMessage()));
            }
        }
        return new VcpuStateSupport(xsave, xcrs, events, debug, accepted.stream().mapToInt(Integer::intValue).toArray(),
                refused);
    }

    private static boolean part(Kvm kvm, int capability, String name, Runnable read, List<String> refused) {
        if (kvm != null && kvm.checkExtension(capability) <= 0) {
            refused.add("KVM_CAP_" + name + " (not offered)");
            return false;
        }
        try {
            read.run();
            return true;
        } catch (KvmException e) {
            refused.add("KVM_GET_" + name + " (" + e.getMessage() + ")");
            return false;
        }
    }

    /** True: the FPU/SSE/AVX state is saved with KVM_GET_XSAVE; false: with KVM_GET_FPU. */
    public boolean xsave() { return xsave; }
    public boolean xcrs() { return xcrs; }
    public boolean events() { return events; }
    public boolean debugRegs() { return debugRegs; }

    /** The MSRs saved, in the order they are saved and restored. */
    public int[] msrs() { return msrs.clone(); }

    int[] msrsShared() { return msrs; }

    /** What KVM refused while probing (empty if everything is supported). */
    public List<String> refused() { return refused; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(xsave ? "XSAVE" : "FPU");
        if (xcrs) sb.append(", XCRS");
        if (events) sb.append(", events");
        if (debugRegs) sb.append(", debug registers");
        sb.append(", MSRs");
        for (int m : msrs) {
            sb.append(String.format(" 0x%x", m));
        }
        if (!refused.isEmpty()) {
            sb.append("; refused: ").append(String.join(", ", refused));
        }
        return sb.toString();
    }
}
