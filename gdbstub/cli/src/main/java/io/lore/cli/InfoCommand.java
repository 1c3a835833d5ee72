package io.lore.cli;

import io.lore.log.EventKind;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.log.RecordingSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** `lore info`: what a recording holds, and whether it is whole. */
final class InfoCommand implements Command {
    @Override public String name() { return "info"; }
    @Override public String summary() { return "describe a recording (machine, events, size, integrity)"; }
    @Override public String usage() { return "FILE [--json]"; }

    @Override
    public String description() {
        return "Checks every chunk of the recording and prints its machine configuration, how it was recorded, its "
                + "summary (duration, exits, events by kind, how the guest ended) and its size. A recording that "
                + "was cut short or is damaged is reported as such, with the file offset where its readable part "
                + "ends. Exit status 0 for a complete recording, 3 for a truncated or damaged one.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(null, "json", false, "print one JSON object instead of text");
        return o;
    }

    @Override
    public int run(CommandLine line) throws Exception {
        Path file = RecordingArgument.of(line);
        try (RecordingReader r = RecordingReader.open(file)) {
            Map<String, Object> info = describe(r);
            if (line.hasOption("json")) {
                System.out.println(Json.of(info));
            } else {
                print(info);
            }
            return r.state() == RecordingReader.State.COMPLETE ? 0 : ReplayCommand.EXIT_PREFIX_ONLY;
        }
    }

    static Map<String, Object> describe(RecordingReader r) {
        RecordingHeader h = r.header();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", r.path().toString());
        m.put("state", r.state().name().toLowerCase());
        if (r.problem() != null) {
            m.put("problem", r.problem());
            m.put("problemOffset", r.problemOffset());
        }
        m.put("producer", h.producer());
        m.put("created", Instant.ofEpochMilli(h.createdEpochMillis()).toString());
        m.put("host", h.host());
        m.put("kernel", h.kernelName());
        m.put("kernelBytes", r.kernel().length);
        m.put("initrd", h.initrdName());
        m.put("cmdline", h.cmdline());
        m.put("memoryMiB", h.memoryMiB());
        m.put("cpuidLeaves", h.cpuid().size());
        m.put("positioning", h.positioning());
        m.put("capture", h.capture());
        m.put("codec", h.codec().name().toLowerCase());
        m.put("fileBytes", r.fileSize());
        m.put("eventBytes", r.eventBytes());
        m.put("chunks", r.chunks().size());
        m.put("events", r.eventCount());
        r.summary().ifPresent(s -> m.put("summary", summary(s, r.eventBytes())));
        return m;
    }

    private static Map<String, Object> summary(RecordingSummary s, long logBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        double secs = s.durationNanos() / 1e9;
        m.put("durationSeconds", Math.round(secs * 1000) / 1000.0);
        m.put("exits", s.exits());
        m.put("end", s.endReason().name().toLowerCase());
        m.put("exitStatus", s.endStatus());
        m.put("serialBytes", s.serialBytes());
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (EventKind k : EventKind.values()) {
            if (s.count(k) > 0) {
                kinds.put(k.label(), s.count(k));
            }
        }
        m.put("eventsByKind", kinds);
        m.put("finalDigest", String.format("cpu %016x memory %016x", s.finalCpuHash(), s.finalMemoryHash()));
        m.put("logBytesPerGuestSecond", secs > 0 ? Math.round(logBytes / secs) : 0);
        m.put("logBytesPerEvent", s.events() > 0 ? Math.round(10.0 * logBytes / s.events()) / 10.0 : 0);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> info) {
        for (Map.Entry<String, Object> e : info.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub) {
                System.out.println(e.getKey() + ":");
                for (Map.Entry<String, Object> s : ((Map<String, Object>) sub).entrySet()) {
                    System.out.printf("  %-24s %s%n", s.getKey(), s.getValue());
                }
            } else {
                System.out.printf("%-26s %s%n", e.getKey(), e.getValue());
            }
        }
    }
}
