package io.lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `lore run` end to end: the real `lore` main class in a separate JVM (so the exit status, stdout
 * and stderr are the real ones), booting the built test guests on the real /dev/kvm, plus its
 * error paths: every user mistake must give status 2 and one "lore: error: ..." line, never a
 * Java stack trace.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RunCommandTest {
    private static final long PROCESS_TIMEOUT_SECONDS = 60;
    static final List<String> RUN_OPTIONS =
            List.of("--kernel", "--initrd", "--cmdline", "--mem", "--serial-out", "--serial-in", "--time-limit");

    @TempDir
    Path dir;

    record Result(List<String> command, int status, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command.subList(command.indexOf(Main.class.getName()), command.size()))
                    + "\n  status " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }

        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Path guest(String name) {
        Path p = Path.of(System.getProperty("lore.guests.dir", "../../guests/build"), name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: build the guests first (make -C guests)");
        }
        return p;
    }

    /** Starts `lore ARGS` in a new JVM with the test class path; {@code stdin} (may be empty) is its whole input. */
    static CompletableFuture<Result> start(byte[] stdin, String... args) {
        List<String> cmd = command(args);
        return CompletableFuture.supplyAsync(() -> {
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().remove("LORE_DEBUG");
                Process p = pb.start();
                CompletableFuture<byte[]> out = drain(p.getInputStream());
                CompletableFuture<byte[]> err = drain(p.getErrorStream());
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // the process may exit without reading its input
                }
                if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    fail("lore did not finish within " + PROCESS_TIMEOUT_SECONDS + " s: " + cmd);
                }
                return new Result(cmd, p.exitValue(), new String(out.join(), StandardCharsets.ISO_8859_1),
                        new String(err.join(), StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** The command line of `lore ARGS` in a new JVM with the test class path. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Result lore(String... args) {
        return start(new byte[0], args).join();
    }

    static void assertNoStackTrace(Result r) {
        assertFalse(r.stderr.contains("Exception in thread") || r.stderr.contains("\tat ")
                || r.stdout.contains("\tat "), () -> "Java stack trace:\n" + r);
    }

    /** Status 2, nothing on stdout, exactly one line on stderr: "lore: error: ..." containing each of {@code parts}. */
    static void assertUsageError(Result r, String... parts) {
        assertEquals(2, r.status, r::toString);
        assertNoStackTrace(r);
        assertEquals("", r.stdout, r::toString);
        List<String> lines = r.stderrLines();
        assertEquals(1, lines.size(), () -> "one line on stderr:\n" + r);
        assertTrue(lines.get(0).startsWith("lore: error: "), r::toString);
        for (String p : parts) {
            assertTrue(lines.get(0).contains(p), () -> "stderr should mention '" + p + "':\n" + r);
        }
    }

    // ------------------------------------------------------------------ guests

    @Test
    void helloRunsWithItsOutputOnStdoutAndStatusOne() {
        Result r = lore("run", "--kernel", guest("hello.elf").toString(), "--cmdline", "from the cli", "--mem", "64");
        assertEquals(1, r.status, r::toString);
        assertNoStackTrace(r);
        assertTrue(r.stdout.startsWith("Hello from LoRe guest\n"), r::toString);
        assertTrue(r.stdout.contains("\ncmdline: \"from the cli\"\n"), r::toString);
        assertTrue(r.stdout.contains("\nmemmap 3: 0x0000000000100000-0x0000000003ffffff type 1 (RAM)\n"), r::toString);
        assertTrue(r.stdout.endsWith("hello: done\n"), r::toString);
        // the run summary goes to stderr, never into the guest's output
        assertEquals(1, r.stderrLines().size(), r::toString);
        assertTrue(r.stderr.startsWith("lore: guest wrote 0x0 to the debug-exit port; exit status 1 ("), r::toString);
    }

    @Test
    void serialOutFileAndQuiet() throws Exception {
        Path out = dir.resolve("serial.txt");
        Result r = lore("run", "--kernel", guest("hello.elf").toString(), "--serial-out", out.toString(), "--quiet",
                "--cmdline", "to a file");
        assertEquals(1, r.status, r::toString);
        assertEquals("", r.stdout, "guest output went to the file");
        assertEquals("", r.stderr, "--quiet: no summary");
        String serial = Files.readString(out, StandardCharsets.ISO_8859_1);
        assertTrue(serial.startsWith("Hello from LoRe guest\n") && serial.contains("cmdline: \"to a file\"\n")
                && serial.endsWith("hello: done\n"), serial);
    }

    /** The status is (v << 1) | 1 for v written to port 0xf4: hello writes 0 (-> 1), bzload's panic 0x70 (-> 225). */
    @Test
    void debugExitValuesMapToStatuses() {
        CompletableFuture<Result> panic = start(new byte[0], "run", "--kernel", guest("bzload.elf").toString());
        CompletableFuture<Result> ok = start(new byte[0], "run", "--kernel", guest("bzload.elf").toString(),
                "--initrd", guest("bzimage.bin").toString(), "--cmdline", "via 64-bit entry");
        Result p = panic.join();
        assertEquals((0x70 << 1) | 1, p.status, p::toString);
        assertTrue(p.stdout.contains("PANIC: bzload: no module"), p::toString);
        assertTrue(p.stderr.contains("guest wrote 0x70 to the debug-exit port; exit status 225"), p::toString);
        Result o = ok.join();
        assertEquals(1, o.status, o::toString);
        assertTrue(o.stdout.contains("cmdline: \"via 64-bit entry\"\n") && o.stdout.endsWith("bzimage: done\n"), o::toString);
    }

    @Test
    void bzImageWithInitrdAndCmdline() throws Exception {
        Path initrd = Files.writeString(dir.resolve("initrd"), "LoRe-initrd-0123456789abcdef");
        Result r = lore("run", "--kernel", guest("bzimage.bin").toString(), "--initrd", initrd.toString(),
                "--cmdline", "console=ttyS0 lore=1");
        assertEquals(1, r.status, r::toString);
        assertTrue(r.stdout.contains("cmdline: \"console=ttyS0 lore=1\"\n"), r::toString);
        assertTrue(r.stdout.contains("initrd: first bytes: 4c 6f 52 65 2d 69 6e 69 74 72 64 2d 30 31 32 33\n"), r::toString);
    }

    @Test
    void tripleFaultIsStatusFourWithARegisterDump() {
        Result r = lore("run", "--kernel", guest("triple.elf").toString());
        assertEquals(4, r.status, r::toString);
        assertNoStackTrace(r);
        assertEquals("about to triple fault\n", r.stdout, r::toString);
        assertTrue(r.stderr.startsWith("lore: guest crashed: "), r::toString);
        assertTrue(r.stderr.contains("triple fault"), r::toString);
        assertTrue(r.stderr.matches("(?s).*rip=[0-9a-f]{16}.*"), r::toString);
        assertTrue(r.stderr.contains("rax") && r.stderr.contains("rflags") && r.stderr.contains("cr0="), r::toString);
    }

    @Test
    void timeLimitEndsTheRunWithStatus124() {
        long t0 = System.nanoTime();
        Result r = lore("run", "--kernel", guest("uart.elf").toString(), "--cmdline", "idle_ms=100000",
                "--time-limit", "0.3");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(124, r.status, r::toString);
        assertNoStackTrace(r);
        assertTrue(r.stderr.contains("time limit of 0.3 s reached"), r::toString);
        assertTrue(r.stdout.contains("uart: echoing lines"), r::toString);
        assertTrue(ms < 20_000, "took " + ms + " ms");
    }

    @Test
    void serialInFileFeedsTheUart() throws Exception {
        Path in = Files.writeString(dir.resolve("input.txt"), "hello\nquit\n");
        Result r = lore("run", "--kernel", guest("uart.elf").toString(), "--serial-in", in.toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.stdout.contains("\necho: hello\necho: quit\n"), r::toString);
        assertTrue(r.stdout.contains("uart: 2 lines, 11 bytes, "), r::toString);
        assertTrue(r.stdout.contains("uart: all 16 checks passed\n"), r::toString);
    }

    @Test
    void stdinIsTheSerialInputByDefault() {
        Result r = start("hi there\nquit\n".getBytes(StandardCharsets.US_ASCII), "run", "--kernel",
                guest("uart.elf").toString()).join();
        assertEquals(1, r.status, r::toString);
        assertTrue(r.stdout.contains("\necho: hi there\necho: quit\n"), r::toString);
    }

    // ------------------------------------------------------------------ help

    @Test
    void helpListsEveryRunOption() {
        CompletableFuture<Result> overview = start(new byte[0], "--help");
        CompletableFuture<Result> helpRun = start(new byte[0], "help", "run");
        CompletableFuture<Result> runHelp = start(new byte[0], "run", "--help");
        CompletableFuture<Result> nothing = start(new byte[0]);

        Result o = overview.join();
        assertEquals(0, o.status, o::toString);
        assertTrue(o.stdout.contains("usage: lore COMMAND"), o::toString);
        assertTrue(o.stdout.lines().anyMatch(l -> l.trim().startsWith("run ")), o::toString);
        for (Result r : List.of(helpRun.join(), runHelp.join())) {
            assertEquals(0, r.status, r::toString);
            assertEquals("", r.stderr, r::toString);
            assertTrue(r.stdout.contains("lore run --kernel FILE"), r::toString);
            for (String opt : RUN_OPTIONS) {
                assertTrue(r.stdout.contains(opt), () -> "help lacks " + opt + ":\n" + r);
            }
            assertTrue(r.stdout.contains("124"), () -> "help explains the exit statuses:\n" + r);
        }
        Result n = nothing.join();
        assertEquals(2, n.status, "no command at all is a usage error:\n" + n);
        assertTrue(n.stdout.contains("usage: lore COMMAND"), n::toString);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void missingKernelFile() {
        Path missing = dir.resolve("no-such-kernel.elf");
        assertUsageError(lore("run", "--kernel", missing.toString()), missing.toString(), "not found");
    }

    @Test
    void missingKernelOption() {
        assertUsageError(lore("run", "--cmdline", "x"), "kernel", "lore help run");
    }

    @Test
    void unknownOptionPointsToHelp() {
        assertUsageError(lore("run", "--kernel", guest("hello.elf").toString(), "--frobnicate"), "--frobnicate",
                "lore help run");
    }

    @Test
    void unknownCommand() {
        assertUsageError(lore("rnu", "--kernel", "x"), "rnu", "lore --help");
    }

    @Test
    void kernelThatIsNotAKernel() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.bin"), "not a kernel at all\n".repeat(50));
        assertUsageError(lore("run", "--kernel", junk.toString()), "junk.bin", "PVH ELF", "bzImage");
    }

    @Test
    void kernelTooBigForTheMemorySuggestsMem() {
        assertUsageError(lore("run", "--kernel", guest("bzload.elf").toString(), "--mem", "4"), "bzload.elf", "--mem");
    }

    @Test
    void missingInitrdAndSerialInputFiles() {
        Path missing = dir.resolve("nothing-here");
        CompletableFuture<Result> initrd = start(new byte[0], "run", "--kernel", guest("hello.elf").toString(),
                "--initrd", missing.toString());
        CompletableFuture<Result> serialIn = start(new byte[0], "run", "--kernel", guest("hello.elf").toString(),
                "--serial-in", missing.toString());
        assertUsageError(initrd.join(), missing.toString(), "initrd");
        assertUsageError(serialIn.join(), missing.toString(), "serial input");
    }

    @Test
    void badMemValues() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("lots", "--mem");
        expected.put("1", "between 2 and 3072");
        expected.put("4096", "between 2 and 3072");
        expected.put("-5", "between 2 and 3072");
        Map<String, CompletableFuture<Result>> runs = new LinkedHashMap<>();
        expected.keySet().forEach(v -> runs.put(v, start(new byte[0], "run", "--kernel", guest("hello.elf").toString(),
                "--mem=" + v)));
        expected.forEach((v, part) -> assertUsageError(runs.get(v).join(), part));
    }

    @Test
    void badTimeLimitValues() {
        List<String> values = List.of("soon", "0", "-1", "NaN");
        Map<String, CompletableFuture<Result>> runs = new LinkedHashMap<>();
        values.forEach(v -> runs.put(v, start(new byte[0], "run", "--kernel", guest("hello.elf").toString(),
                "--time-limit=" + v)));
        values.forEach(v -> assertUsageError(runs.get(v).join(), "--time-limit"));
    }

    /**
     * A huge limit is no limit (the guest runs to its end), and a positive limit below one
     * nanosecond is not "no limit" either: it is refused or ends the run at once.
     */
    @Test
    void extremeTimeLimits() {
        CompletableFuture<Result> huge = start(new byte[0], "run", "--kernel", guest("hello.elf").toString(),
                "--time-limit", "1e30");
        CompletableFuture<Result> tiny = start(new byte[0], "run", "--kernel", guest("uart.elf").toString(),
                "--cmdline", "idle_ms=3000", "--time-limit", "1e-12");
        Result h = huge.join();
        assertEquals(1, h.status, () -> "--time-limit 1e30 must not end the run at once:\n" + h);
        assertTrue(h.stdout.endsWith("hello: done\n"), h::toString);
        Result t = tiny.join();
        assertTrue(t.status == 2 || t.status == 124, () -> "--time-limit 1e-12 must not mean 'no limit':\n" + t);
        assertNoStackTrace(t);
    }
}
