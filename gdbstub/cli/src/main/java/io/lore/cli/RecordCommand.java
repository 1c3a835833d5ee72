package io.lore.cli;

import io.lore.log.Codec;
import io.lore.log.RecordingHeader;
import io.lore.machine.MachineConfig;
import io.lore.replay.RecordSession;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** `lore record`: run a guest live and record everything non-deterministic it sees. */
final class RecordCommand implements Command {
    /** How long a signal waits for the recording to be finished before the JVM goes anyway. */
    private static final long FINISH_ON_SIGNAL_SECONDS = 30;

    @Override public String name() { return "record"; }
    @Override public String summary() { return "run a guest and record it for exact replay"; }
    @Override public String usage() { return "--kernel FILE --out FILE [options]"; }

    @Override
    public String description() {
        return "Runs the guest like 'lore run' and writes every non-deterministic event it sees (port and MMIO "
                + "reads, interrupts with their exact positions, serial input) to one self-contained file that "
                + "also holds the kernel, initrd and CPU description, so it replays anywhere. On a terminal a "
                + "status line shows progress; Ctrl-C ends the recording cleanly. The exit status is the guest's, "
                + "as for 'lore run'.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        MachineOptions.addTo(o);
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE").required()
                .desc("the recording file to write (conventionally NAME.lore)").build());
        o.addOption(Option.builder().longOpt("codec").hasArg().argName("zstd|deflate|none")
                .desc("chunk compression (default zstd)").build());
        o.addOption(Option.builder().longOpt("interrupt-delay").hasArg().argName("MICROS")
                .desc("how much later than due a timer interrupt may reach a guest that is computing (default "
                        + RecordSession.DEFAULT_INTERRUPT_DELAY_NANOS / 1000 + "; 0: at once). A third of it waits for "
                        + "the guest's next VM exit, the rest for the function it was in to return: points replay finds "
                        + "cheaply (a third more when the last kick finds it in another function). One taken "
                        + "anywhere else is found again by its state, at some 25 µs per pass of its instruction on a "
                        + "host without a PMU. Ignored when a branch counter positions interrupts").build());
        o.addOption(null, "quiet", false, "no status line and no summary");
        return o;
    }

    private static java.time.Duration interruptDelay(CommandLine line) {
        String v = line.getOptionValue("interrupt-delay");
        if (v == null) {
            return java.time.Duration.ofNanos(RecordSession.DEFAULT_INTERRUPT_DELAY_NANOS);
        }
        try {
            long micros = Long.parseLong(v.trim());
            if (micros >= 0 && micros <= 1_000_000) {
                return java.time.Duration.ofNanos(micros * 1000);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--interrupt-delay takes microseconds from 0 to 1000000, not '" + v + "'");
    }

    @Override
    public int run(CommandLine line) throws Exception {
        MachineConfig config = MachineOptions.config(line);
        Path out = Path.of(line.getOptionValue("out"));
        Codec codec = codec(line.getOptionValue("codec", "zstd"));
        boolean quiet = line.hasOption("quiet");
        RecordSession session = new RecordSession(config, out, codec).interruptDelay(interruptDelay(line));
        // Ctrl-C or SIGTERM: stop the guest, and keep the JVM until this thread has finished the
        // file (its footer makes it a complete recording) and printed the summary
        CountDownLatch done = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            session.stop();
            try {
                done.await(FINISH_ON_SIGNAL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return record(session, line, out, quiet);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // a signal: the hook is running and waits for the countdown above
            }
        }
    }

    private static int record(RecordSession session, CommandLine line, Path out, boolean quiet) throws Exception {
        RecordSession.Result r;
        try (OutputStream serialOut = MachineOptions.serialOut(line);
             StatusLine status = quiet ? null : new StatusLine(() -> {
                 RecordSession.Status s = session.status();
                 return String.format("recording %s: %.1f s, %,d exits (%,.0f/s), %,d events, %s", out.getFileName(),
                         s.seconds(), s.exits(), s.exits() / Math.max(0.001, s.seconds()), s.events(), Units.bytes(s.bytes()));
             })) {
            r = session.run(serialOut, MachineOptions.serialIn(line));
        }
        RunCommand.report(r.run(), true);
        if (!quiet) {
            double secs = r.run().nanos() / 1e9;
            System.err.printf("lore: recorded %s: %s; %.2f s, %,d exits, %,d events, %s (%s per guest-second)%n",
                    out, r.run().headline(), secs, r.exits(), r.events(), Units.bytes(r.bytes()),
                    Units.bytes((long) (r.bytes() / Math.max(secs, 1e-3))));
        }
        if (!quiet) {
            System.err.printf("lore: interrupts between exits positioned by %s (%s)%s%n", r.positioning(), r.positioningNote(),
                    r.movedToReturnPoints() == 0 ? "" : String.format("; %,d waited for the function they arrived in to "
                            + "return, where replay finds them faster", r.movedToReturnPoints()));
            System.err.printf("lore: capture: %s (%s)%n", r.capture(), r.captureNote());
            if (!RecordingHeader.CAPTURE_KERNEL.equals(r.capture())) {
                System.err.println("lore: note: without lore.ko, RDTSC is not intercepted: a guest that reads the TSC "
                        + "diverges on replay (the replay detects and reports it)");
            }
        }
        if (r.failure() != null) {
            return Main.error(r.failure(), 1);
        }
        return r.run().exitStatus();
    }

    static Codec codec(String name) {
        switch (name) {
            case "zstd": return Codec.ZSTD;
            case "deflate": return Codec.DEFLATE;
            case "none": return Codec.NONE;
            default: throw new UsageException("--codec must be zstd, deflate or none, not '" + name + "'");
        }
    }
}
