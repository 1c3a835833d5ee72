package io.lore.cli;

import io.lore.log.Event;
import io.lore.log.EventKind;
import io.lore.log.RecordingReader;
import io.lore.log.StatePoint;
import io.lore.replay.EventFormat;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** `lore events`: list a recording's events, filtered by position and kind. */
final class EventsCommand implements Command {
    @Override public String name() { return "events"; }
    @Override public String summary() { return "list the events of a recording"; }
    @Override public String usage() { return "FILE [--from P] [--to P] [--kind K[,K...]] [--limit N] [--json]"; }

    @Override
    public String description() {
        return "Prints the recorded events in order, one per line: the exit ordinal (position P: the number of "
                + "synchronous VM exits — port I/O, MMIO, HLT — before and including the event's), the kind and its "
                + "data. Kinds: pio-in, pio-out, mmio-read, mmio-write, halt, interrupt, serial-input, digest, end.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("from").hasArg().argName("P").desc("first exit ordinal to show").build());
        o.addOption(Option.builder().longOpt("to").hasArg().argName("P").desc("last exit ordinal to show").build());
        o.addOption(Option.builder().longOpt("kind").hasArg().argName("K").desc("only these kinds (comma-separated)").build());
        o.addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("show at most N events").build());
        o.addOption(null, "json", false, "one JSON object per line");
        return o;
    }

    @Override
    public int run(CommandLine line) throws Exception {
        long from = count(line, "from", 0);
        long to = count(line, "to", Long.MAX_VALUE);
        long limit = count(line, "limit", Long.MAX_VALUE);
        if (from > to) {
            throw new UsageException("--from " + from + " is after --to " + to);
        }
        Set<EventKind> kinds = EnumSet.allOf(EventKind.class);
        if (line.hasOption("kind")) {
            kinds.clear();
            for (String k : line.getOptionValue("kind").split(",")) {
                EventKind kind = EventKind.ofLabel(k.trim());
                if (kind == null) {
                    throw new UsageException("unknown event kind '" + k + "'");
                }
                kinds.add(kind);
            }
        }
        boolean json = line.hasOption("json");
        try (RecordingReader r = RecordingReader.open(RecordingArgument.of(line))) {
            long index = 0;
            long shown = 0;
            for (Iterator<Event> it = r.events(); it.hasNext() && shown < limit; index++) {
                Event e = it.next();
                if (e.ordinal() > to) {
                    break;
                }
                if (e.ordinal() < from || !kinds.contains(e.kind())) {
                    continue;
                }
                shown++;
                System.out.println(json ? Json.of(toMap(index, e)) : String.format("%8d  %s", index, EventFormat.describe(e)));
            }
            if (r.state() != RecordingReader.State.COMPLETE) {
                System.err.printf("lore: %s is %s at offset %d: %s%n", r.path(), r.state().name().toLowerCase(),
                        r.problemOffset(), r.problem());
                return ReplayCommand.EXIT_PREFIX_ONLY;
            }
            return 0;
        }
    }

    static Map<String, Object> toMap(long index, Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("exit", e.ordinal());
        m.put("kind", e.kind().label());
        if (e instanceof Event.PioIn p) {
            m.put("port", p.port()); m.put("size", p.size()); m.put("value", p.value() & 0xffffffffL);
        } else if (e instanceof Event.PioOut p) {
            m.put("port", p.port()); m.put("size", p.size()); m.put("value", p.value() & 0xffffffffL);
        } else if (e instanceof Event.MmioRead x) {
            m.put("address", x.address()); m.put("size", x.size()); m.put("value", x.value());
        } else if (e instanceof Event.MmioWrite x) {
            m.put("address", x.address()); m.put("size", x.size()); m.put("value", x.value());
        } else if (e instanceof Event.Interrupt i) {
            m.put("vector", i.vector());
            if (i.at() != null) {
                StatePoint s = i.at();
                m.put("rip", s.rip());
                Map<String, Object> regs = new LinkedHashMap<>(); // the whole state the replay looks for
                for (int r = 0; r < StatePoint.REGS; r++) {
                    regs.put(io.lore.kvm.Regs.NAMES[r], s.regs()[r]);
                }
                m.put("registers", regs);
                m.put("systemHash", String.format("%016x", s.systemHash()));
                m.put("memoryHash", String.format("%016x", s.memoryHash()));
                if (s.branches() >= 0) {
                    m.put("branches", s.branches());
                }
            }
        } else if (e instanceof Event.SerialInput s) {
            m.put("byte", s.data());
        } else if (e instanceof Event.Digest d) {
            m.put("cpuHash", String.format("%016x", d.cpuHash()));
            m.put("memoryHash", String.format("%016x", d.memoryHash()));
        } else if (e instanceof Event.End x) {
            m.put("reason", x.reason().name().toLowerCase());
            m.put("status", x.status());
        } else if (e instanceof Event.Tsc t) {
            m.put("rip", t.rip());
            m.put("value", t.value());
        }
        return m;
    }

    /** A position or a number of events: a whole number from 0 (exit ordinals may pass 2^31). */
    private static long count(CommandLine line, String name, long absent) {
        if (!line.hasOption(name)) {
            return absent;
        }
        String v = line.getOptionValue(name);
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new UsageException("--" + name + " takes a whole number from 0, not '" + v + "'");
    }
}
