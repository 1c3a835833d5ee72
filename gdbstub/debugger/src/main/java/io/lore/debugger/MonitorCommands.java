package io.lore.debugger;

import io.lore.replay.Divergence;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** GDB's `monitor` commands for a replay: a table of name, arguments, help, and handler. */
final class MonitorCommands {
    private record Command(String args, String help, Function<String, String> handler) {}

    private final Map<String, Command> table = new LinkedHashMap<>();
    private volatile Divergence divergence;

    MonitorCommands(DebugSession session) {
        table.put("when", new Command("", "where the replay is: position, exit, event index, guest time",
                a -> session.when()));
        table.put("seek", new Command("POSITION | event N | exit N | time SECONDS",
                "move the replay there (then `maintenance flush register-cache` so GDB rereads the registers)",
                a -> {
                    session.seek(a);
                    return session.when();
                }));
        table.put("events", new Command("[N]", "the next N recorded events from here (default 10)",
                a -> session.eventsFromHere(a.isBlank() ? 10 : parseCount(a))));
        table.put("checkpoints", new Command("", "the checkpoints held, and their memory", a -> session.checkpointsText()));
        table.put("info", new Command("", "the recording and the replay engine", a -> session.infoText(divergence)));
        table.put("physical", new Command("on|off", "read memory by guest-physical address (default off: virtual)",
                a -> {
                    switch (a.trim().toLowerCase(Locale.ROOT)) {
                        case "on" -> session.setPhysical(true);
                        case "off" -> session.setPhysical(false);
                        case "" -> { }
                        default -> throw new IllegalArgumentException("monitor physical takes on or off");
                    }
                    return "memory addresses are guest-" + (session.physical() ? "physical" : "virtual") + "\n";
                }));
        table.put("help", new Command("", "this list", a -> help()));
    }

    /** Runs one command line; IllegalArgumentException for an unknown command or bad arguments. */
    String run(String line) {
        String t = line.trim();
        int sp = t.indexOf(' ');
        String name = sp < 0 ? t : t.substring(0, sp);
        String args = sp < 0 ? "" : t.substring(sp + 1).trim();
        Command c = table.get(name.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown monitor command '" + name + "': try `monitor help`");
        }
        return c.handler().apply(args);
    }

    void diverged(Divergence d) {
        this.divergence = d;
    }

    private String help() {
        StringBuilder b = new StringBuilder("LoRe replay monitor commands:\n");
        table.forEach((name, c) -> b.append(String.format("  monitor %-40s %s%n", name + (c.args().isEmpty() ? "" : " " + c.args()), c.help())));
        b.append("Reverse execution: reverse-stepi, reverse-step, reverse-next, reverse-finish, reverse-continue.\n");
        return b.toString();
    }

    static int parseCount(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n <= 0 || n > 100_000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a count: '" + s.trim() + "' (1..100000)");
        }
    }
}
