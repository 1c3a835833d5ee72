package io.lore.cli;

import io.lore.debugger.DebugSession;
import io.lore.rsp.GdbServer;
import java.nio.file.Path;
import java.util.Locale;

/** `lore replay FILE --gdb [HOST:]PORT`: a replay served to one GDB session. */
final class GdbReplay {
    private GdbReplay() {}

    /** HOST:PORT or PORT (host 127.0.0.1); PORT 0 picks a free one. */
    record Address(String host, int port) {
        static Address parse(String s) {
            int colon = s.lastIndexOf(':');
            String host = colon < 0 ? GdbServer.DEFAULT_HOST : s.substring(0, colon);
            String port = colon < 0 ? s : s.substring(colon + 1);
            try {
                int p = Integer.parseInt(port);
                if (p < 0 || p > 65535 || host.isEmpty()) {
                    throw new NumberFormatException();
                }
                return new Address(host, p);
            } catch (NumberFormatException e) {
                throw new UsageException("--gdb takes [HOST:]PORT, e.g. 1234 or 0.0.0.0:1234, not '" + s + "'");
            }
        }
    }

    static int serve(Path file, Address at, long checkpointBudgetBytes) throws Exception {
        try (DebugSession session = DebugSession.open(file, new DebugSession.Options(checkpointBudgetBytes));
             GdbServer server = session.gdbServer(at.host(), at.port())) {
            String where = at.host() + ":" + server.port();
            System.err.printf(Locale.ROOT, "lore: replaying %s for GDB on %s (%.3f guest seconds); waiting for one GDB session%n",
                    file, where, session.durationSeconds());
            System.err.printf("lore: connect with:  gdb -ex 'target remote %s' <the guest kernel with symbols>%n", where);
            System.err.println("lore: then reverse-stepi, reverse-continue, watch -l VAR + reverse-continue; `monitor help` "
                    + "lists LoRe's own commands");
            server.serveOne();
            System.err.println("lore: GDB session ended");
            return 0;
        }
    }
}
