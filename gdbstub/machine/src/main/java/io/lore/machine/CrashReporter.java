package io.lore.machine;

import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;

/** Turns a dead guest into a report a kernel developer can read: why, where, and the registers. */
public final class CrashReporter {
    private final KvmVcpu vcpu;

    public CrashReporter(KvmVcpu vcpu) {
        this.vcpu = vcpu;
    }

    public String report(String why) {
        StringBuilder sb = new StringBuilder(why);
        try {
            var regs = vcpu.getRegs();
            var sregs = vcpu.getSregs();
            sb.append(String.format("%n  at rip=%016x%n", regs.rip()));
            for (String line : regs.toString().split("\n")) {
                sb.append("  ").append(line).append('\n');
            }
            for (String line : sregs.toString().split("\n")) {
                sb.append("  ").append(line.trim()).append('\n');
            }
        } catch (KvmException e) {
            sb.append(" (registers unavailable: ").append(e.getMessage()).append(')');
        }
        return sb.toString().trim();
    }
}
