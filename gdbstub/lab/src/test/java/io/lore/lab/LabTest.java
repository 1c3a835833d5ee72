package io.lore.lab;

import static org.junit.jupiter.api.Assertions.fail;

import io.lore.kmod.CTests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The lore.ko lab: builds it (kmod/lab/build-lab.sh: lore.ko by kbuild, an initramfs with
 * busybox, Debian's KVM and 9p modules, the C lab tests) and boots Debian's kernel under
 * qemu-system-x86_64 TCG with nested SVM, this host's root read-only over 9p
 * (kmod/lab/run-lab.sh). In there lore.ko is loaded and checked with the C tests
 * (kmod/lab/labtest.c), then LoRe's own `lore` command records and replays guests on that
 * standard KVM with kernel-assisted capture (kmod/lab/java-tests.sh). Every check the lab
 * prints is one result here. Takes about 4 minutes on two cores.
 */
class LabTest {
    /** The checks a complete lab run reports (fewer means it stopped early). */
    private static final int EXPECTED_CHECKS = 38;

    @TestFactory
    List<DynamicTest> lab() throws Exception {
        Path root = CTests.root();
        requireTools(root);
        Path out = Path.of("target", "lab").toAbsolutePath();
        Files.createDirectories(out);
        List<DynamicTest> tests = new ArrayList<>();
        long t0 = System.nanoTime();
        String build = run(out.resolve("build.log"), 600, root.resolve("kmod/lab/build-lab.sh").toString(), out.toString());
        if (build != null) {
            tests.add(DynamicTest.dynamicTest("lab_builds", () -> fail("kmod/lab/build-lab.sh " + build)));
            return tests;
        }
        tests.add(DynamicTest.dynamicTest("lab_builds", () -> { }));
        Path console = out.resolve("console.log");
        String boot = run(console, 720, root.resolve("kmod/lab/run-lab.sh").toString(), out.toString());
        String text = Files.readString(console, StandardCharsets.UTF_8);
        int checks = 0;
        for (String line : text.split("\r?\n")) {
            Matcher m = CTests.LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            checks++;
            boolean ok = m.group(1).equals("ok");
            String why = m.group(3);
            tests.add(DynamicTest.dynamicTest(m.group(2), () -> {
                if (!ok) {
                    fail(why + " (lab console: " + console + ")");
                }
            }));
        }
        boolean done = text.contains("# lab done");
        int found = checks;
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[lab] %d checks in %.0f s (build and boot); console: %s%n", found, secs, console);
        tests.add(DynamicTest.dynamicTest("lab_completes", () -> {
            if (!done || found < EXPECTED_CHECKS) {
                fail("the lab " + (boot != null ? boot : "ended") + " after " + found + " checks (expected at least "
                        + EXPECTED_CHECKS + "); last console lines:\n" + CTests.tail(text, 30));
            }
        }));
        return tests;
    }

    /** Runs a command with its output in {@code log}; null on success, else what went wrong. */
    private static String run(Path log, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
            return "timed out after " + timeoutSeconds + " s";
        }
        return p.exitValue() == 0 ? null
                : "failed (status " + p.exitValue() + "):\n" + CTests.tail(Files.readString(log, StandardCharsets.UTF_8), 30);
    }

    /** The lab needs QEMU, Debian's kernel and headers, busybox and cpio; under CI their absence fails. */
    private static void requireTools(Path root) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("qemu-system-x86_64", "cpio", "busybox", "as", "ld", "gcc", "modprobe")) {
            Process p = new ProcessBuilder("sh", "-c", "command -v " + tool + " || test -x /bin/" + tool).start();
            if (p.waitFor() != 0) {
                missing.add(tool);
            }
        }
        Process k = new ProcessBuilder(root.resolve("kmod/lab/kernel-version.sh").toString()).start();
        if (k.waitFor() != 0) {
            missing.add("a kernel image with its headers (linux-image-amd64, linux-headers-amd64)");
        }
        if (!Files.isRegularFile(root.resolve("gdbstub/cli/target/lore.jar"))) {
            missing.add("gdbstub/cli/target/lore.jar (built by the reactor before this module)");
        }
        if (!Files.isRegularFile(root.resolve("guests/build/tsc.elf"))) {
            missing.add("guests/build/tsc.elf (built by the guests module)");
        }
        CTests.require(missing.isEmpty(), "what the lab needs (" + String.join(", ", missing) + ")");
    }
}
