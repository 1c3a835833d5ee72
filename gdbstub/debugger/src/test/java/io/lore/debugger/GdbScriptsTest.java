package io.lore.debugger;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.log.Codec;
import io.lore.machine.MachineConfig;
import io.lore.replay.RecordSession;
import io.lore.rsp.GdbHarness;
import io.lore.rsp.GdbServer;
import io.lore.rsp.RspLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * rr-style debugger tests: each script in src/test/gdb is a GDB Python script that asserts, run
 * by the real gdb against a replay of the guest its header names ({@code # guest: demo.elf}).
 * The prelude (GdbHarness) gives it check(), run(), value(), pc(), stops, sigint_after().
 * {@code -Dlore.gdb.scripts=NAME,...} runs only those scripts.
 */
class GdbScriptsTest {
    private static final Pattern GUEST = Pattern.compile("^# guest: (\\S+)", Pattern.MULTILINE);
    private static final Pattern TIMEOUT = Pattern.compile("^# timeout: (\\d+)", Pattern.MULTILINE);
    private static final Map<String, Path> recordings = new HashMap<>();

    @TempDir
    static Path dir;

    static Path guest(String name) {
        Path p = Path.of(System.getProperty("lore.guests.dir", "../../guests/build"), name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build the guests first (make -C guests)");
        }
        return p;
    }

    /** A recording of the guest, made once per test run. */
    static synchronized Path recording(String guest) throws IOException {
        Path r = recordings.get(guest);
        if (r == null) {
            r = dir.resolve(guest + ".lore");
            new RecordSession(MachineConfig.of(guest(guest)).withTimeLimit(Duration.ofSeconds(60)), r, Codec.ZSTD)
                    .run(new ByteArrayOutputStream(), null);
            recordings.put(guest, r);
        }
        return r;
    }

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException {
        assertTrue(GdbHarness.available(), "gdb is not installed (tools/install-deps installs it)");
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Path.of("src/test/gdb"))) {
            scripts = s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
        assertTrue(scripts.size() >= 5, "the GDB scripts are missing");
        String only = System.getProperty("lore.gdb.scripts", ""); // e.g. -Dlore.gdb.scripts=breakpoints,interrupt
        if (!only.isBlank()) {
            List<String> names = List.of(only.split(","));
            scripts = scripts.stream().filter(p -> names.contains(p.getFileName().toString().replace(".py", ""))).toList();
        }
        return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> runScript(p)));
    }

    private static void runScript(Path script) throws Exception {
        String body = Files.readString(script);
        Matcher g = GUEST.matcher(body);
        assertTrue(g.find(), script + " has no '# guest: NAME' line");
        Matcher t = TIMEOUT.matcher(body);
        Duration timeout = Duration.ofSeconds(t.find() ? Integer.parseInt(t.group(1)) : 120);
        Path rec = recording(g.group(1));
        StringBuilder log = new StringBuilder();
        try (DebugSession session = DebugSession.open(rec, DebugSession.Options.DEFAULTS)) {
            session.setLog(line -> {
                synchronized (log) {
                    log.append("server: ").append(line).append('\n');
                }
            });
            GdbServer server = session.gdbServer(GdbServer.DEFAULT_HOST, 0);
            Thread serving = new Thread(server::serveOne, "serve " + script.getFileName());
            serving.start();
            GdbHarness.Result r = GdbHarness.run(dir, server.port(), body, timeout, guest(g.group(1)));
            server.close();
            serving.join(10_000);
            assertTrue(r.passed(), () -> script.getFileName() + " failed (exit " + r.exitCode() + "):\n" + r.output()
                    + "\n" + log);
        }
    }
}
