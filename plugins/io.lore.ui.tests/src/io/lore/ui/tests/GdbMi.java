package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real gdb driven through its machine interface, the way CDT drives it: MI commands and CLI
 * commands on one channel, result records (^done, ^error, ^running) and async records (*stopped).
 */
final class GdbMi implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();

    GdbMi(String gdb) throws IOException {
        process = new ProcessBuilder(gdb, "-nx", "-q", "-i=mi").redirectErrorStream(true).start();
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // gdb went away
            }
        }, "gdb-mi-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static boolean available(String gdb) {
        try {
            Process p = new ProcessBuilder(gdb, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Sends one command and returns every line up to and including its result record. */
    List<String> send(String command) throws Exception {
        synchronized (transcript) {
            transcript.append("> ").append(command).append('\n');
        }
        in.write(command + "\n");
        in.flush();
        List<String> out = new ArrayList<>();
        while (true) {
            String l = next(60);
            out.add(l);
            if (l.startsWith("^")) {
                return out;
            }
        }
    }

    /** Sends an execution command and waits for its *stopped record; returns everything. */
    List<String> run(String command) throws Exception {
        List<String> out = new ArrayList<>(send(command));
        String result = out.get(out.size() - 1);
        if (!result.startsWith("^running")) {
            return out;
        }
        while (true) {
            String l = next(120);
            out.add(l);
            if (l.startsWith("*stopped")) {
                return out;
            }
        }
    }

    private String next(int seconds) throws InterruptedException {
        String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null) {
            fail("gdb did not answer within " + seconds + " s; transcript:\n" + transcript());
        }
        synchronized (transcript) {
            transcript.append(l).append('\n');
        }
        return l;
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    /** The value of an expression, e.g. "$pc", as gdb prints it with -data-evaluate-expression. */
    String evaluate(String expression) throws Exception {
        List<String> out = send("-data-evaluate-expression " + expression);
        String r = out.get(out.size() - 1);
        int i = r.indexOf("value=\"");
        if (!r.startsWith("^done") || i < 0) {
            fail("cannot evaluate " + expression + ": " + r + "\n" + transcript());
        }
        return r.substring(i + 7, r.lastIndexOf('"'));
    }

    /** Runs a CLI command through MI and returns what it printed on the console stream. */
    String console(String command) throws Exception {
        List<String> out = send("-interpreter-exec console \"" + command.replace("\"", "\\\"") + "\"");
        String r = result(out);
        if (!r.startsWith("^done")) {
            fail(command + " failed: " + r + "\n" + transcript());
        }
        StringBuilder text = new StringBuilder();
        for (String l : out) {
            if ((l.startsWith("~\"") || l.startsWith("@\"")) && l.endsWith("\"")) {
                text.append(unescape(l.substring(2, l.length() - 1)));
            }
        }
        return text.toString();
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String result(List<String> out) {
        return out.get(out.size() - 1);
    }

    @Override
    public void close() {
        try {
            in.write("-gdb-exit\n");
            in.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
