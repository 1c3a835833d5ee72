package io.lore.replay;

import io.lore.log.Event;

/** One-line human descriptions of events, for `lore events` and divergence reports. */
public final class EventFormat {
    private EventFormat() {}

    public static String describe(Event e) {
        String at = String.format("exit %-8d %-12s ", e.ordinal(), e.kind().label());
        if (e instanceof Event.PioIn p) {
            return at + String.format("port 0x%04x size %d -> 0x%x", p.port(), p.size(), p.value());
        } else if (e instanceof Event.PioOut p) {
            return at + String.format("port 0x%04x size %d <- 0x%x", p.port(), p.size(), p.value());
        } else if (e instanceof Event.MmioRead m) {
            return at + String.format("addr 0x%x size %d -> 0x%x", m.address(), m.size(), m.value());
        } else if (e instanceof Event.MmioWrite m) {
            return at + String.format("addr 0x%x size %d <- 0x%x", m.address(), m.size(), m.value());
        } else if (e instanceof Event.Interrupt i) {
            return at + String.format("vector 0x%02x %s", i.vector(),
                    i.at() == null ? "at the exit" : "at state " + i.at());
        } else if (e instanceof Event.SerialInput s) {
            return at + String.format("byte 0x%02x", s.data());
        } else if (e instanceof Event.Digest d) {
            return at + String.format("cpu %016x memory %016x", d.cpuHash(), d.memoryHash());
        } else if (e instanceof Event.End x) {
            return at + x.reason().name().toLowerCase() + " status " + x.status();
        } else if (e instanceof Event.Tsc t) {
            return at + String.format("rip 0x%x -> 0x%x", t.rip(), t.value());
        }
        return at.trim();
    }
}
