package io.lore.cli;

import io.lore.machine.MachineConfig;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The options that describe a guest machine, shared by every command that boots one. */
final class MachineOptions {
    private MachineOptions() {}

    static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("kernel").hasArg().argName("FILE").required()
                .desc("guest kernel: a PVH ELF (Xen PVH entry note) or a Linux bzImage").build());
        o.addOption(Option.builder().longOpt("initrd").hasArg().argName("FILE")
                .desc("initial ramdisk, passed as PVH module 0 or through boot_params").build());
        o.addOption(Option.builder().longOpt("cmdline").hasArg().argName("STRING")
                .desc("kernel command line (default: empty)").build());
        o.addOption(Option.builder().longOpt("mem").hasArg().argName("MIB")
                .desc("guest memory in MiB (default " + MachineConfig.DEFAULT_MEMORY_MIB + ", at most "
                        + MachineConfig.MAX_MEMORY_MIB + ")").build());
        o.addOption(Option.builder().longOpt("serial-out").hasArg().argName("FILE")
                .desc("write the guest's COM1 output to FILE instead of stdout").build());
        o.addOption(Option.builder().longOpt("serial-in").hasArg().argName("FILE")
                .desc("feed FILE to the guest's COM1 input instead of stdin").build());
        o.addOption(Option.builder().longOpt("time-limit").hasArg().argName("SECONDS")
                .desc("stop the guest after this many seconds of wall time (exit status 124)").build());
    }

    static MachineConfig config(CommandLine line) {
        Path kernel = Path.of(line.getOptionValue("kernel"));
        MachineConfig c = MachineConfig.of(kernel).withCmdline(line.getOptionValue("cmdline", ""));
        if (line.hasOption("initrd")) {
            c = c.withInitrd(Path.of(line.getOptionValue("initrd")));
        }
        if (line.hasOption("mem")) {
            c = c.withMemoryMiB(intOption(line, "mem"));
        }
        if (line.hasOption("time-limit")) {
            double s = doubleOption(line, "time-limit");
            if (!(s > 0) || Double.isInfinite(s)) { // also rejects NaN
                throw new UsageException("--time-limit must be a positive number of seconds");
            }
            c = c.withTimeLimit(Duration.ofNanos(Math.max(1, (long) Math.ceil(Math.min(s, 1e9) * 1e9))));
        }
        return c;
    }

    static OutputStream serialOut(CommandLine line) throws IOException {
        if (line.hasOption("serial-out")) {
            return new BufferedOutputStream(Files.newOutputStream(Path.of(line.getOptionValue("serial-out"))));
        }
        return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
    }

    static InputStream serialIn(CommandLine line) throws IOException {
        if (line.hasOption("serial-in")) {
            Path p = Path.of(line.getOptionValue("serial-in"));
            if (!Files.isRegularFile(p) && !Files.exists(p)) {
                throw new NoSuchFileException(p.toString(), null, "serial input file not found");
            }
            return Files.newInputStream(p);
        }
        return new FileInputStream(FileDescriptor.in);
    }

    static int intOption(CommandLine line, String name) {
        String v = line.getOptionValue(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " takes a whole number, not '" + v + "'");
        }
    }

    static double doubleOption(CommandLine line, String name) {
        String v = line.getOptionValue(name);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " takes a number, not '" + v + "'");
        }
    }
}
