package io.lore.cli;

import io.lore.log.RecordingReader;
import io.lore.replay.Replayer;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** `lore replay`: replay a recording exactly, checking it against the log. */
final class ReplayCommand implements Command {
    static final int EXIT_DIVERGED = 1;
    static final int EXIT_PREFIX_ONLY = 3;

    @Override public String name() { return "replay"; }
    @Override public String summary() { return "replay a recording exactly (and verify it)"; }
    @Override public String usage() { return "FILE [--verify] [--serial-out FILE] | FILE --gdb [HOST:]PORT"; }

    @Override
    public String description() {
        return "Replays the recorded guest without any device model: every exit is checked against the log and "
                + "fed the logged data, interrupts are injected at their recorded positions, digests of registers "
                + "and memory are compared. The guest's serial output is rebuilt from its OUT instructions. The "
                + "first mismatch stops the replay with a divergence report. Exit status: 0 reproduced exactly; "
                + "1 diverged; 3 the recording was cut short or damaged and its readable prefix replayed exactly; "
                + "2 bad input.\n\nWith --gdb, serves the replay to GDB instead (the remote protocol, on 127.0.0.1 unless "
                + "a host is given) for one debugging session, with reverse execution: reverse-stepi/-step/-next/"
                + "-finish/-continue, breakpoints and any number of watchpoints found backwards. Going back restores "
                + "checkpoints of the whole machine taken as the replay moves, within --checkpoint-memory.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(null, "verify", false, "report whether the run was reproduced exactly (the default behaviour; "
                + "kept for scripts)");
        o.addOption(Option.builder().longOpt("serial-out").hasArg().argName("FILE")
                .desc("write the rebuilt serial output to FILE instead of stdout").build());
        o.addOption(null, "quiet", false, "print nothing but the guest's output and errors");
        o.addOption(Option.builder().longOpt("gdb").hasArg().argName("[HOST:]PORT")
                .desc("serve the replay to GDB on HOST:PORT (host 127.0.0.1 unless given; port 0: any free port)").build());
        o.addOption(Option.builder().longOpt("checkpoint-memory").hasArg().argName("MiB")
                .desc("memory for the checkpoints of the time-travel engine (default "
                        + (io.lore.replay.travel.TimeTravel.DEFAULT_BUDGET_BYTES >> 20) + " MiB)").build());
        return o;
    }

    @Override
    public int run(CommandLine line) throws Exception {
        Path file = RecordingArgument.of(line);
        if (line.hasOption("gdb")) {
            return GdbReplay.serve(file, GdbReplay.Address.parse(line.getOptionValue("gdb")), checkpointMemory(line));
        }
        if (line.hasOption("checkpoint-memory")) {
            throw new UsageException("--checkpoint-memory sizes the checkpoints of a --gdb session; a plain replay keeps none");
        }
        boolean quiet = line.hasOption("quiet");
        try (RecordingReader rec = RecordingReader.open(file);
             OutputStream out = MachineOptions.serialOut(line);
             Replayer replayer = new Replayer(rec, out)) {
            if (rec.state() != RecordingReader.State.COMPLETE) {
                System.err.printf("lore: warning: %s is %s at offset %d: %s; replaying what precedes it%n", file,
                        rec.state().name().toLowerCase(), rec.problemOffset(), rec.problem());
            }
            Replayer.Result r = replayer.run();
            out.flush();
            return report(file, rec, r, quiet);
        }
    }

    private static long checkpointMemory(CommandLine line) {
        if (!line.hasOption("checkpoint-memory")) {
            return 0;
        }
        try {
            long mib = Long.parseLong(line.getOptionValue("checkpoint-memory"));
            if (mib < 16) {
                throw new NumberFormatException();
            }
            return mib << 20;
        } catch (NumberFormatException e) {
            throw new UsageException("--checkpoint-memory takes a number of MiB, at least 16");
        }
    }

    static int report(Path file, RecordingReader rec, Replayer.Result r, boolean quiet) {
        switch (r.outcome()) {
            case VERIFIED:
                if (!quiet) {
                    System.err.printf("lore: replay of %s reproduced the recording exactly: %,d exits, %,d events, "
                            + "%d digest%s matched, %,d breakpoint hits, %.2f s%n", file, r.exits(), r.events(),
                            r.digestsChecked(), r.digestsChecked() == 1 ? "" : "s", r.breakpointHits(), r.nanos() / 1e9);
                }
                return 0;
            case PREFIX_VERIFIED:
                System.err.printf("lore: replayed the readable part of %s exactly (%,d exits, %,d events); the recording "
                        + "is %s at offset %d: %s%n", file, r.exits(), r.events(), rec.state().name().toLowerCase(),
                        rec.problemOffset(), rec.problem());
                return EXIT_PREFIX_ONLY;
            case STOPPED:
                System.err.printf("lore: replay stopped at exit %,d%n", r.exits());
                return 130;
            default:
                System.err.println("lore: " + r.divergence().describe());
                return EXIT_DIVERGED;
        }
    }
}
