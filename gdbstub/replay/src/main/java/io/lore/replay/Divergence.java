package io.lore.replay;

import io.lore.log.Event;
import java.util.List;

/** Where and how a replay stopped matching its recording. */
public record Divergence(long ordinal, long eventIndex, String expected, String actual, List<Event> recentEvents) {
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("replay diverged at exit %d (event %d)%n  expected: %s%n  actual:   %s",
                ordinal, eventIndex, expected, actual));
        if (!recentEvents.isEmpty()) {
            sb.append(String.format("%n  last events before it:"));
            for (Event e : recentEvents) {
                sb.append(String.format("%n    %s", EventFormat.describe(e)));
            }
        }
        return sb.toString();
    }
}
