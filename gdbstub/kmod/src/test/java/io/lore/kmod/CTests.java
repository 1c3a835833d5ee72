package io.lore.kmod;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs programs that report "ok - name" / "not ok - name: reason" lines (kmod/test/tap.h, the
 * lab's /init) and turns every line into a JUnit test, so each C check counts on its own in
 * the test summary. A program that fails without such a line fails a test named after it.
 */
public final class CTests {
    /** A result line: group 1 "ok" or "not ok", group 2 the check's name, group 3 the reason (may be null). */
    public static final Pattern LINE = Pattern.compile("^(not ok|ok) - ([A-Za-z0-9_]+)(?::\\s*(.*))?$");

    private CTests() {}

    /** The repository: lore.root when it is one (the reactor sets it), else the nearest directory above that has kmod/. */
    public static Path root() {
        String p = System.getProperty("lore.root");
        Path start = Path.of(p != null ? p : ".").toAbsolutePath().normalize();
        for (Path d = start; d != null; d = d.getParent()) {
            if (java.nio.file.Files.isRegularFile(d.resolve("kmod/include/uapi/lore.h"))) {
                return d;
            }
        }
        return start;
    }

    static Path kmod() {
        return root().resolve("kmod");
    }

    /** Output and exit status of a command (stdout and stderr together). */
    record Run(int status, String output, boolean timedOut) {}

    static Run run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("reading output failed: " + e).getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        reader.join();
        return new Run(done ? p.exitValue() : -1, new String(out[0], StandardCharsets.UTF_8), !done);
    }

    /** One test per result line; plus a failing test when the program failed with no failing line. */
    static List<DynamicTest> fromOutput(String program, Run r, int expectedAtLeast) {
        List<DynamicTest> tests = new ArrayList<>();
        boolean anyFailed = false;
        for (String line : r.output().split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            boolean ok = m.group(1).equals("ok");
            anyFailed |= !ok;
            String why = m.group(3);
            tests.add(DynamicTest.dynamicTest(m.group(2), () -> {
                if (!ok) {
                    fail(program + ": " + why);
                }
            }));
        }
        int found = tests.size();
        if ((r.status() != 0 && !anyFailed) || found < expectedAtLeast || r.timedOut()) {
            String tail = tail(r.output(), 40);
            String what = r.timedOut() ? "timed out" : r.status() != 0 ? "exited with status " + r.status()
                    : "reported only " + found + " results, expected at least " + expectedAtLeast;
            tests.add(DynamicTest.dynamicTest(program.replaceAll("[^A-Za-z0-9]+", "_") + "_completes",
                    () -> fail(program + " " + what + ":\n" + tail)));
        }
        return tests;
    }

    /** The last {@code lines} lines of {@code s} (console logs end lines with CR LF). */
    public static String tail(String s, int lines) {
        String[] all = s.split("\r?\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }

    /** Under CI a missing prerequisite is a failure (tools/install-deps provides it); elsewhere a skip. */
    public static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(what + " is missing; tools/install-deps test installs it");
        }
        Assumptions.assumeTrue(present, what + " is missing (tools/install-deps test installs it)");
    }
}
