package io.lore.cli;

import io.lore.machine.Machine;
import io.lore.machine.MachineConfig;
import io.lore.machine.PcPlatform;
import io.lore.machine.RunResult;
import io.lore.machine.VcpuLoop;
import io.lore.machine.CrashReporter;
import io.lore.machine.devices.Clock;
import java.io.OutputStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** `lore run`: boot a guest and run it live, without recording. */
final class RunCommand implements Command {
    @Override public String name() { return "run"; }
    @Override public String summary() { return "boot a guest kernel and run it (no recording)"; }
    @Override public String usage() { return "--kernel FILE [options]"; }

    @Override
    public String description() {
        return "Boots a PVH ELF kernel or a Linux bzImage on a single-vCPU PC (16550 UART on COM1, 8254 PIT, "
                + "8259 PICs, CMOS RTC, debug-exit port 0xf4) and runs it until it ends. The guest's COM1 output "
                + "goes to stdout. Exit status: (v<<1)|1 when the guest writes v to port 0xf4 (as QEMU's "
                + "isa-debug-exit), 0 when it halts or powers off, 4 when it crashes (triple fault, KVM error; "
                + "a register dump goes to stderr), 124 at --time-limit, 2 for bad input.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        MachineOptions.addTo(o);
        o.addOption(null, "quiet", false, "print nothing but the guest's output (no summary on stderr)");
        return o;
    }

    @Override
    public int run(CommandLine line) throws Exception {
        MachineConfig config = MachineOptions.config(line);
        boolean quiet = line.hasOption("quiet");
        try (Machine machine = Machine.boot(config); OutputStream out = MachineOptions.serialOut(line)) {
            PcPlatform pc = new PcPlatform(Clock.HOST, machine.memory().size(), out, MachineOptions.serialIn(line));
            long limit = config.timeLimit() == null ? 0 : config.timeLimit().toNanos();
            VcpuLoop loop = new VcpuLoop(machine.vcpu(), pc, Clock.HOST, limit, new CrashReporter(machine.vcpu(), machine.memory()));
            pc.startInput(loop::wake);
            RunResult result = loop.runToEnd();
            out.flush();
            report(result, quiet);
            return result.exitStatus();
        }
    }

    static void report(RunResult r, boolean quiet) {
        if (r.outcome() == RunResult.Outcome.CRASHED) {
            System.err.println("lore: guest crashed: " + r.detail());
        } else if (!quiet) {
            System.err.printf("lore: %s; exit status %d (%d VM exits in %.2f s)%n", r.detail(), r.exitStatus(),
                    r.exits(), r.nanos() / 1e9);
        }
    }
}
