package io.lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `lore replay --gdb` end to end, as the README and `lore demo` tell a kernel developer to use
 * it: the real lore process, the real gdb with the demo's command line, the bug found.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplayGdbCommandTest {
    private static final Pattern LISTENING = Pattern.compile("for GDB on ([0-9.]+):(\\d+)");

    @TempDir
    Path dir;

    @Test
    void theDemoCommandLineFindsThePlantedBug() throws Exception {
        Path rec = dir.resolve("demo.lore");
        RunCommandTest.Result r = RunCommandTest.lore("record", "--kernel", RunCommandTest.guest("demo.elf").toString(),
                "--out", rec.toString(), "--serial-out", dir.resolve("serial.txt").toString());
        assertEquals(7, r.status(), r::toString); // the demo's checker caught its bug

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "replay", rec.toString(), "--gdb", "0"));
        Process lore = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(lore.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String port = null;
            for (String line; port == null && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = m.group(2);
                }
            }
            assertTrue(port != null, () -> "lore did not say where it listens:\n" + seen);

            // exactly the command line `lore demo` prints, in batch mode
            Process gdb = new ProcessBuilder("gdb", "-batch", "-nx", RunCommandTest.guest("demo.elf").toString(),
                    "-ex", "target remote :" + port, "-ex", "continue", "-ex", "watch -l ring_ctl.magic",
                    "-ex", "reverse-continue", "-ex", "bt", "-ex", "print/x ring_ctl.magic")
                    .redirectErrorStream(true).start();
            String g = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gdb.waitFor(120, TimeUnit.SECONDS), "gdb finished");
            assertTrue(g.contains("#0  0x") && g.contains("in stats_note_record"), () -> "stopped in the culprit:\n" + g);
            assertTrue(g.contains("kind_count[r->kind]++"), () -> "at the faulty line:\n" + g);
            assertTrue(g.contains("#1  ") && g.contains("in producer"), () -> "called by the producer:\n" + g);
            assertTrue(g.contains("= 0x52494e47"), () -> "before the write, the magic is intact:\n" + g);

            assertTrue(lore.waitFor(60, TimeUnit.SECONDS), "lore exits when the GDB session ends");
            String rest = new String(lore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, lore.exitValue(), () -> seen + rest);
            assertTrue(rest.contains("GDB session ended"), rest);
        } finally {
            lore.destroyForcibly();
        }
    }

    @Test
    void badGdbAddressesAndMissingFilesAreOneLineErrors() {
        RunCommandTest.assertUsageError(RunCommandTest.lore("replay", dir.resolve("x.lore").toString(), "--gdb", "port"),
                "--gdb takes [HOST:]PORT");
        RunCommandTest.assertUsageError(RunCommandTest.lore("replay", dir.resolve("x.lore").toString(), "--gdb", "70000"),
                "--gdb takes");
        RunCommandTest.Result r = RunCommandTest.lore("replay", dir.resolve("missing.lore").toString(), "--gdb", "0");
        RunCommandTest.assertNoStackTrace(r);
        assertTrue(r.status() != 0, r::toString);
        assertTrue(r.stderr().contains("missing.lore"), r::toString);
    }
}
