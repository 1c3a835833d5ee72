package io.lore.replay.travel;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in a replay, canonical: the same instant always has the same position, whichever
 * way (forward, backward, by breakpoint or by stepping) it was reached.
 *
 * <p>Synchronous VM exits happen at the same instruction in every replay, so the state right
 * after exit {@code exit} was serviced (before the guest runs on) is an anchor. A later instant
 * before the next exit is named by the instruction address the guest is about to execute and
 * how many times it has arrived there since the anchor ({@code arrival} ≥ 1). Arrivals are
 * counted in the same way by every run of the engine — breakpoint hits and single steps see
 * the same sequence of instruction addresses — so the triple is canonical without a PMU.
 * {@code arrival == 0} is the anchor itself (rip is then 0).
 *
 * <p>Written {@code exit:rip#arrival} in hex for rip, e.g. {@code 1234:ffffffff81000000#2};
 * an anchor is just {@code 1234}.
 */
public record Position(long exit, long rip, long arrival) {
    private static final Pattern TEXT = Pattern.compile("(\\d+)(?::(?:0x)?([0-9a-fA-F]+)#(\\d+))?");

    public static Position anchor(long exit) {
        return new Position(exit, 0, 0);
    }

    public boolean isAnchor() {
        return arrival == 0;
    }

    /** Parses {@link #toString()}'s form; throws IllegalArgumentException with a usable message. */
    public static Position parse(String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a position: '" + text + "' (expected EXIT or EXIT:RIP#ARRIVAL, e.g. 1234:ffffffff81000000#2)");
        }
        long exit = Long.parseLong(m.group(1));
        if (m.group(2) == null) {
            return anchor(exit);
        }
        long arrival = Long.parseLong(m.group(3));
        if (arrival < 1) {
            throw new IllegalArgumentException("arrival count must be at least 1 in '" + text + "'");
        }
        return new Position(exit, Long.parseUnsignedLong(m.group(2), 16), arrival);
    }

    @Override
    public String toString() {
        return arrival == 0 ? Long.toString(exit) : String.format(Locale.ROOT, "%d:%x#%d", exit, rip, arrival);
    }
}
