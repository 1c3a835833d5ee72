package io.lore.rsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real GDB in batch mode on a Python script. The script's body runs after the prelude
 * below (helpers, stop-event log, and — unless told otherwise — `target remote`); it asserts with
 * {@code check(...)} and the run fails with exit status 3 and a LORE-TEST-FAIL line. Bounded by a
 * timeout: GDB is killed if it overruns.
 */
public final class GdbHarness {
    public static final String GDB = System.getProperty("lore.gdb", "/usr/bin/gdb");
    static final String OK = "LORE-TEST-OK";

    public record Result(int exitCode, String output, long millis) {
        public boolean passed() {
            return exitCode == 0 && output.contains(OK) && !output.contains("LORE-TEST-FAIL");
        }
    }

    private static final String PRELUDE = """
            import gdb, os, sys, signal, threading, time, traceback

            PORT = %d
            stops = []

            def _on_stop(ev):
                d = {"type": type(ev).__name__}
                if isinstance(ev, gdb.SignalEvent):
                    d["signal"] = ev.stop_signal
                if isinstance(ev, gdb.BreakpointEvent):
                    d["bps"] = [b.number for b in ev.breakpoints]
                stops.append(d)

            gdb.events.stop.connect(_on_stop)

            def fail(msg):
                print("LORE-TEST-FAIL: " + msg)
                sys.stdout.flush()
                os._exit(3)

            def check(cond, msg):
                if not cond:
                    fail(msg)

            def run(cmd):
                return gdb.execute(cmd, to_string=True)

            def expect_error(cmd, fragment):
                try:
                    gdb.execute(cmd)          # not to_string: console output stays visible
                except gdb.error as e:
                    check(fragment in str(e), "%%r: error %%r lacks %%r" %% (cmd, str(e), fragment))
                    print("ERROR-TEXT[%%s]: %%s" %% (cmd, e))
                    return str(e)
                fail("%%r did not fail" %% cmd)

            def pc():
                return int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff

            def value(expr):
                out = run("p " + expr).strip()
                check(out.startswith("$") and " = " in out, "p %%s: %%r" %% (expr, out))
                return out.split(" = ", 1)[1]

            def reg(name):
                return int(gdb.parse_and_eval("$" + name)) & 0xffffffffffffffff

            def sigint_after(seconds):
                def fire():
                    time.sleep(seconds)
                    os.kill(os.getpid(), signal.SIGINT)
                threading.Thread(target=fire, daemon=True).start()

            def last_stop():
                check(stops, "no stop event")
                return stops[-1]

            gdb.execute("set pagination off")
            gdb.execute("set confirm off")
            gdb.execute("set width 0")
            """;

    private GdbHarness() {}

    public static boolean available() {
        return Files.isExecutable(Path.of(GDB));
    }

    /** Runs the body after connecting to 127.0.0.1:port. */
    static Result run(Path dir, int port, String body, Duration timeout) throws IOException, InterruptedException {
        return run(dir, port, "run(\"target remote 127.0.0.1:%d\" % PORT)\n" + body, timeout, true);
    }

    /** Runs the body, connected to 127.0.0.1:port, with GDB given {@code symbols} (an ELF with debug info). */
    public static Result run(Path dir, int port, String body, Duration timeout, Path symbols)
            throws IOException, InterruptedException {
        Process p = start(dir, port, "run(\"target remote 127.0.0.1:%d\" % PORT)\n" + body, true, symbols.toString());
        return finish(p, timeout);
    }

    /** Runs the body as is (it may connect itself); {@code wrap}: report unexpected exceptions as failures. */
    static Result run(Path dir, int port, String body, Duration timeout, boolean wrap)
            throws IOException, InterruptedException {
        Process p = start(dir, port, body, wrap);
        return finish(p, timeout);
    }

    static Process start(Path dir, int port, String body, boolean wrap, String... gdbArgs) throws IOException {
        StringBuilder script = new StringBuilder(String.format(PRELUDE, port));
        if (wrap) {
            script.append("try:\n");
            for (String line : ("run(\"show version\")\n" + body).split("\n")) {
                script.append("    ").append(line).append('\n');
            }
            script.append("    print(\"").append(OK).append("\")\n");
            script.append("except gdb.error as e:\n    traceback.print_exc()\n    fail(\"gdb error: \" + str(e))\n");
        } else {
            script.append(body).append('\n');
        }
        Path file = Files.createTempFile(dir, "gdb-test-", ".py");
        Files.writeString(file, script.toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(GDB, "-batch", "-nx"));
        cmd.addAll(List.of(gdbArgs));
        cmd.addAll(List.of("-x", file.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("TERM", "dumb");
        pb.environment().put("DEBUGINFOD_URLS", "");
        pb.environment().put("HOME", dir.toString());
        return pb.start();
    }

    public static Result finish(Process p, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // process gone
            }
        });
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            pump.join(2000);
            return new Result(-1, out.toString(StandardCharsets.UTF_8) + "\n[gdb killed after " + timeout + "]",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        pump.join(5000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
}
