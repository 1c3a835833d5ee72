package io.lore.machine;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Sregs;

/** Turns a dead guest into a report a kernel developer can read: why, where, and the registers. */
public final class CrashReporter {
    private final KvmVcpu vcpu;
    private final GuestMemory memory;

    public CrashReporter(KvmVcpu vcpu) {
        this(vcpu, null);
    }

    /** With guest memory, the report also shows the instruction bytes at RIP. */
    public CrashReporter(KvmVcpu vcpu, GuestMemory memory) {
        this.vcpu = vcpu;
        this.memory = memory;
    }

    public String report(String why) {
        StringBuilder sb = new StringBuilder(why);
        try {
            var regs = vcpu.getRegs();
            Sregs sregs = vcpu.getSregs();
            sb.append(String.format("%n  at rip=%016x", regs.rip()));
            byte[] code = memory == null ? null : PageWalker.readVirtual(memory, sregs, regs.rip(), 8);
            if (code != null) {
                sb.append("  code:");
                for (byte b : code) {
                    sb.append(String.format(" %02x", b & 0xff));
                }
            }
            sb.append('\n');
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
