package io.lore.debugger;

import io.lore.log.Event;
import io.lore.log.RecordingFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * Guest time of any exit, from the recording's clock marks: the recorder logs a digest at the
 * first exit after every {@link RecordingFormat#DIGEST_INTERVAL_NANOS} of recording time, so
 * digest k is at about k intervals; the last event is at the recording's duration. Between
 * marks, time is interpolated by exit number. Good to a fraction of an interval: enough to
 * place events on a timeline and to seek by time.
 */
final class GuestTime {
    private final TreeMap<Long, Double> marks = new TreeMap<>(); // exit -> seconds

    GuestTime(List<Event> events, double durationSeconds) {
        double interval = RecordingFormat.DIGEST_INTERVAL_NANOS / 1e9;
        marks.put(0L, 0.0);
        int k = 0;
        long lastExit = 0;
        for (Event e : events) {
            lastExit = Math.max(lastExit, e.ordinal());
            if (e instanceof Event.Digest d) {
                marks.putIfAbsent(d.ordinal(), ++k * interval);
            }
        }
        double end = Math.max(durationSeconds, k * interval);
        marks.put(lastExit, Math.max(end, marks.getOrDefault(lastExit, 0.0)));
    }

    /** Seconds since the start of the recording at exit {@code exit}. */
    double at(long exit) {
        var lo = marks.floorEntry(exit);
        var hi = marks.ceilingEntry(exit);
        if (hi == null) {
            return lo.getValue();
        }
        if (lo.getKey().equals(hi.getKey())) {
            return lo.getValue();
        }
        double f = (double) (exit - lo.getKey()) / (hi.getKey() - lo.getKey());
        return lo.getValue() + f * (hi.getValue() - lo.getValue());
    }

    /** The first exit at or after {@code seconds}. */
    long exitAt(double seconds) {
        long lo = 0;
        long hi = marks.lastKey();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (at(mid) < seconds) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    double duration() {
        return marks.lastEntry().getValue();
    }
}
