package io.lore.ui.views;

import io.lore.debugger.TimelineEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the Timeline view draws things: one lane per kind of event (interrupts by vector, port
 * I/O, serial, ...; checkpoints last), guest time along x. Pure geometry, no SWT, so the
 * mapping between pixels and guest time is testable on its own.
 */
public final class TimelineLayout {
    public static final String CHECKPOINT_LANE = "checkpoints";
    public static final int LABEL_WIDTH = 120;
    public static final int HEADER = 26;
    public static final int LANE_HEIGHT = 22;
    public static final int RIGHT_MARGIN = 12;

    private final List<String> lanes;
    private final Map<String, List<TimelineEntry>> byLane;
    private final double endSeconds;
    private final int width;

    public TimelineLayout(List<TimelineEntry> entries, List<Double> checkpoints, int width) {
        this(entries, checkpoints, 0, width);
    }

    /** {@code duration}: the recording's length in guest seconds (the axis ends there, or at the last event if later). */
    public TimelineLayout(List<TimelineEntry> entries, List<Double> checkpoints, double duration, int width) {
        Map<String, List<TimelineEntry>> m = new LinkedHashMap<>();
        double end = Double.isFinite(duration) ? Math.max(0, duration) : 0;
        for (TimelineEntry e : entries) {
            m.computeIfAbsent(e.lane(), k -> new ArrayList<>()).add(e);
            end = Math.max(end, e.guestSeconds());
        }
        for (double c : checkpoints) {
            end = Math.max(end, c);
        }
        List<String> names = new ArrayList<>(m.keySet());
        names.sort(Comparator.comparingInt(TimelineLayout::rank).thenComparing(Comparator.naturalOrder()));
        if (!checkpoints.isEmpty()) {
            names.add(CHECKPOINT_LANE);
        }
        this.lanes = List.copyOf(names);
        this.byLane = m;
        this.endSeconds = end > 0 ? end : 1e-6;
        this.width = Math.max(width, LABEL_WIDTH + RIGHT_MARGIN + 10);
    }

    private static int rank(String lane) {
        if (lane.startsWith("interrupt")) {
            return 0;
        }
        switch (lane) {
            case "port I/O": return 1;
            case "mmio": return 2;
            case "serial": return 3;
            case "halt": return 4;
            case "digest": return 5;
            case "end": return 7;
            default: return 6;
        }
    }

    public List<String> lanes() {
        return lanes;
    }

    public List<TimelineEntry> entries(String lane) {
        return byLane.getOrDefault(lane, List.of());
    }

    public double endSeconds() {
        return endSeconds;
    }

    public int plotWidth() {
        return width - LABEL_WIDTH - RIGHT_MARGIN;
    }

    /** The x pixel of guest time {@code seconds}. */
    public int x(double seconds) {
        double f = Math.max(0, Math.min(1, seconds / endSeconds));
        return LABEL_WIDTH + (int) Math.round(f * plotWidth());
    }

    /** The guest time at pixel {@code x} (clamped to the recording). */
    public double seconds(int x) {
        double f = (x - LABEL_WIDTH) / (double) plotWidth();
        return Math.max(0, Math.min(1, f)) * endSeconds;
    }

    /** The top pixel of lane {@code i}. */
    public int laneTop(int i) {
        return HEADER + i * LANE_HEIGHT;
    }

    /** The lane at pixel {@code y}, or null. */
    public String laneAt(int y) {
        int i = (y - HEADER) / LANE_HEIGHT;
        return y < HEADER || i >= lanes.size() ? null : lanes.get(i);
    }

    public int height() {
        return HEADER + lanes.size() * LANE_HEIGHT + 8;
    }

    /** The event of lane {@code lane} drawn nearest to pixel x, if within {@code slack} pixels. */
    public TimelineEntry nearest(String lane, int x, int slack) {
        TimelineEntry best = null;
        int bestD = slack + 1;
        for (TimelineEntry e : entries(lane)) {
            int d = Math.abs(x(e.guestSeconds()) - x);
            if (d < bestD) {
                best = e;
                bestD = d;
            }
        }
        return best;
    }

    /** What a double-click at (x, y) seeks to: an event near it in its lane, else that guest time. */
    public String seekTarget(int x, int y) {
        String lane = laneAt(y);
        if (lane != null && !CHECKPOINT_LANE.equals(lane)) {
            TimelineEntry e = nearest(lane, x, 3);
            if (e != null) {
                return "event " + e.eventIndex();
            }
        }
        return String.format(java.util.Locale.ROOT, "time %.9f", seconds(x));
    }
}
