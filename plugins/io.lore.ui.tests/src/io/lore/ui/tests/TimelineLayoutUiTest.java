package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.debugger.TimelineEntry;
import io.lore.ui.views.TimelineLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** (UI harness only because io.lore.ui activates with the workbench.) The Timeline's geometry: lanes, guest time to pixels and back, what a double-click seeks to. */
class TimelineLayoutUiTest {
    private static final List<TimelineEntry> ENTRIES = List.of(
            new TimelineEntry(0, 1, 0.0, "port I/O", "out 0x3f8"),
            new TimelineEntry(1, 5, 0.25, "serial", "'H'"),
            new TimelineEntry(2, 9, 0.5, "interrupt 0x20", "irq 0"),
            new TimelineEntry(3, 12, 0.75, "interrupt 0x20", "irq 0"),
            new TimelineEntry(4, 14, 1.0, "end", "debug exit"),
            new TimelineEntry(5, 3, 0.1, "interrupt 0x24", "irq 4"));

    @Test
    void lanesPutInterruptsFirstAndCheckpointsLast() {
        TimelineLayout l = new TimelineLayout(ENTRIES, List.of(0.0, 0.5), 1000);
        assertEquals(List.of("interrupt 0x20", "interrupt 0x24", "port I/O", "serial", "end", TimelineLayout.CHECKPOINT_LANE), l.lanes());
        assertEquals(2, l.entries("interrupt 0x20").size());
        TimelineLayout noCheckpoints = new TimelineLayout(ENTRIES, List.of(), 1000);
        assertTrue(!noCheckpoints.lanes().contains(TimelineLayout.CHECKPOINT_LANE));
    }

    @Test
    void pixelsAndGuestTimeMapBothWays() {
        TimelineLayout l = new TimelineLayout(ENTRIES, List.of(), 1000);
        assertEquals(1.0, l.endSeconds());
        assertEquals(TimelineLayout.LABEL_WIDTH, l.x(0));
        assertEquals(TimelineLayout.LABEL_WIDTH + l.plotWidth(), l.x(1.0));
        for (double t : new double[] {0.0, 0.1, 0.37, 0.5, 0.99}) {
            assertEquals(t, l.seconds(l.x(t)), 1.0 / l.plotWidth(), "round trip of " + t);
        }
        assertEquals(0.0, l.seconds(0), "left of the plot clamps to the start");
        TimelineLayout longer = new TimelineLayout(ENTRIES, List.of(), 2.0, 1000);
        assertEquals(2.0, longer.endSeconds(), "the axis ends at the recording's end");
        assertEquals(longer.x(0) + longer.plotWidth() / 2, longer.x(1.0), 1);
        assertEquals(1.0, l.seconds(5000), "right of the plot clamps to the end");
    }

    @Test
    void aDoubleClickSeeksToTheEventUnderThePointerElseToTheTime() {
        TimelineLayout l = new TimelineLayout(ENTRIES, List.of(0.5), 1000);
        int irqLane = l.lanes().indexOf("interrupt 0x20");
        int y = l.laneTop(irqLane) + TimelineLayout.LANE_HEIGHT / 2;
        assertEquals("interrupt 0x20", l.laneAt(y));
        assertEquals("event 3", l.seekTarget(l.x(0.75) + 2, y));
        assertEquals("event 2", l.seekTarget(l.x(0.5), y));
        String far = l.seekTarget(l.x(0.62), y);
        assertTrue(far.startsWith("time "), far);
        assertEquals(0.62, Double.parseDouble(far.substring(5)), 1.0 / l.plotWidth(), far);
        // the checkpoint lane and the header seek by time
        int cp = l.laneTop(l.lanes().indexOf(TimelineLayout.CHECKPOINT_LANE)) + 5;
        assertEquals(0.5, Double.parseDouble(l.seekTarget(l.x(0.5), cp).substring(5)), 1.0 / l.plotWidth());
        assertNull(l.laneAt(2));
    }
}
