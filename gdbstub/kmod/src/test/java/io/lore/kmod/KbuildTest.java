package io.lore.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** lore.ko builds with kbuild against the installed Debian kernel headers, with no warning at all. */
class KbuildTest {
    @Test
    void buildsWithZeroWarnings() throws Exception {
        CTests.Run v = CTests.run(CTests.kmod(), 30, "lab/kernel-version.sh");
        CTests.require(v.status() == 0, "a kernel image with its headers (linux-image-amd64, linux-headers-amd64)");
        String kver = v.output().strip();
        Path dir = Path.of("target", "kbuild").toAbsolutePath();
        copySources(dir);
        CTests.Run r = CTests.run(dir, 600, "make", "-C", "/lib/modules/" + kver + "/build", "M=" + dir, "modules");
        assertEquals(0, r.status(), () -> "kbuild failed:\n" + CTests.tail(r.output(), 40));
        List<String> warnings = r.output().lines().filter(l -> l.contains("warning:") || l.contains("WARNING:")).toList();
        assertEquals(List.of(), warnings, "kbuild printed warnings");
        assertTrue(Files.size(dir.resolve("lore.ko")) > 0, "lore.ko built");
        CTests.Run info = CTests.run(dir, 30, "modinfo", "-F", "vermagic", dir.resolve("lore.ko").toString());
        assertTrue(info.output().startsWith(kver + " "), () -> "vermagic of " + kver + ": " + info.output());
        CTests.Run deps = CTests.run(dir, 30, "modinfo", "-F", "depends", dir.resolve("lore.ko").toString());
        assertEquals("kvm", deps.output().strip(), "lore.ko depends on kvm.ko only (and finds kvm_amd's code by kprobe)");
    }

    /** kbuild writes next to the sources: build a copy, so the tree stays clean. */
    static void copySources(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("include/uapi"));
        Path k = CTests.kmod();
        try (Stream<Path> s = Files.list(k)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals("Kbuild") || n.endsWith(".c") || n.endsWith(".h")) {
                    Files.copy(p, dir.resolve(n));
                }
            }
        }
        Files.copy(k.resolve("include/uapi/lore.h"), dir.resolve("include/uapi/lore.h"));
    }
}
