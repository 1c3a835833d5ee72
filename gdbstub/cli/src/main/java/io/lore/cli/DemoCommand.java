package io.lore.cli;

import io.lore.log.Codec;
import io.lore.log.RecordingReader;
import io.lore.machine.MachineConfig;
import io.lore.replay.RecordSession;
import io.lore.replay.Replayer;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** `lore demo`: record the demo guest, replay it, prove the replay exact, show the next step. */
final class DemoCommand implements Command {
    @Override public String name() { return "demo"; }
    @Override public String summary() { return "record, replay and verify the demo guest"; }
    @Override public String usage() { return "[--guests DIR] [--workdir DIR]"; }

    @Override
    public String description() {
        return "The tour: records the bundled demo kernel (two threads preempted by the timer, and a planted memory "
                + "corruption bug), replays the recording, checks that the replay reproduced every exit, interrupt, "
                + "register and byte of memory and the same serial output, and prints how to reverse-debug the bug. "
                + "./lore demo builds everything first.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("guests").hasArg().argName("DIR")
                .desc("where the built guests are (default guests/build)").build());
        o.addOption(Option.builder().longOpt("workdir").hasArg().argName("DIR")
                .desc("where to put the recording (default lore-demo in the current directory)").build());
        return o;
    }

    @Override
    public int run(CommandLine line) throws Exception {
        Path guests = Path.of(line.getOptionValue("guests", "guests/build"));
        Path kernel = guests.resolve("demo.elf");
        if (!Files.isRegularFile(kernel)) {
            throw new UsageException(kernel + " not found: build the guests with 'make -C guests' (./lore demo does it)");
        }
        Path work = Path.of(line.getOptionValue("workdir", "lore-demo"));
        Files.createDirectories(work);
        Path recording = work.resolve("demo.lore");

        System.out.println("LoRe demo: record, replay, verify, then debug backwards.");
        System.out.printf("%n[1/3] recording %s -> %s%n%n", kernel, recording);
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        RecordSession session = new RecordSession(MachineConfig.of(kernel).withTimeLimit(java.time.Duration.ofSeconds(120)),
                recording, Codec.ZSTD);
        RecordSession.Result rec;
        try (OutputStream tee = new Tee(recorded, new FileOutputStream(FileDescriptor.out))) {
            rec = session.run(tee, InputStream.nullInputStream());
        }
        System.out.printf("%n      %s%n      recorded %,d exits, %,d events in %.2f s; file %s%n", rec.run().detail(),
                rec.exits(), rec.events(), rec.run().nanos() / 1e9, Units.bytes(rec.bytes()));
        if (rec.failure() != null) {
            return Main.error(rec.failure(), 1);
        }

        System.out.printf("%n[2/3] replaying %s (no devices: everything comes from the log)%n", recording);
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        Replayer.Result rep;
        try (RecordingReader reader = RecordingReader.open(recording); Replayer replayer = new Replayer(reader, replayed)) {
            rep = replayer.run();
        }
        boolean sameOutput = Arrays.equals(recorded.toByteArray(), replayed.toByteArray());
        if (!rep.verified()) {
            System.out.println("      " + (rep.divergence() != null ? rep.divergence().describe() : rep.outcome()));
            return 1;
        }
        System.out.printf("      reproduced exactly: %,d exits, %,d events, %d register+memory digests matched, "
                + "%.2f s%n", rep.exits(), rep.events(), rep.digestsChecked(), rep.nanos() / 1e9);
        System.out.printf("      serial output: %,d bytes, %s%n", replayed.size(),
                sameOutput ? "identical to the recorded run" : "DIFFERENT from the recorded run");
        if (!sameOutput) {
            return 1;
        }

        System.out.printf("%n[3/3] find the bug backwards%n");
        System.out.println("      the guest's checker caught a corrupted ring_ctl.magic (exit status 7): who wrote it?");
        System.out.printf("      in one terminal:  ./lore replay %s --gdb 1234%n", recording);
        System.out.printf("      in another:       gdb %s -ex 'target remote :1234' -ex continue \\%n", kernel);
        System.out.println("                          -ex 'watch -l ring_ctl.magic' -ex reverse-continue -ex bt");
        System.out.println("      GDB stops in stats_note_record, just before kind_count[r->kind]++ writes past the array;");
        System.out.println("      reverse-stepi, reverse-next, reverse-finish and `monitor help` take it from there.");
        System.out.printf("      inspect the recording:  ./lore info %s   ./lore events %s --kind interrupt --limit 10%n",
                recording, recording);
        return 0;
    }

    /** Writes to two streams (the terminal and the copy we compare with the replay). */
    private static final class Tee extends OutputStream {
        private final OutputStream a, b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override public void write(int x) throws java.io.IOException { a.write(x); b.write(x); }
        @Override public void write(byte[] buf, int off, int len) throws java.io.IOException { a.write(buf, off, len); b.write(buf, off, len); }
        @Override public void flush() throws java.io.IOException { a.flush(); b.flush(); }
    }
}
