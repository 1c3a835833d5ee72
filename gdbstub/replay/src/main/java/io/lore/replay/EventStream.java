package io.lore.replay;

import io.lore.log.Event;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The recording's events, read once into memory so a replay can go back to any of them, with
 * one-event lookahead and a short memory of what was consumed (for divergence reports).
 */
final class EventStream {
    private static final int HISTORY = 8;
    private final List<Event> all = new ArrayList<>();
    private int index;
    private volatile long progress;

    EventStream(Iterator<Event> it) {
        while (it.hasNext()) {
            Event e = it.next();
            if (!(e instanceof Event.Tsc)) { // not exits: lore.ko takes TSC values from its feed (TscReplay)
                all.add(e);
            }
        }
    }

    Event peek() {
        return index < all.size() ? all.get(index) : null;
    }

    /** Index of the event {@link #peek()} returns. */
    long index() {
        return index;
    }

    Event take() {
        Event e = all.get(index++);
        progress = index;
        return e;
    }

    /** Goes back (or forward) to event {@code i}. */
    void seek(long i) {
        if (i < 0 || i > all.size()) {
            throw new IndexOutOfBoundsException("event " + i + " of " + all.size());
        }
        index = (int) i;
        progress = index;
    }

    long size() {
        return all.size();
    }

    Event get(long i) {
        return all.get((int) i);
    }

    /** {@link #index()} for other threads (the stall watchdog). */
    long progress() {
        return progress;
    }

    /** The last events consumed, oldest first. */
    List<Event> recent() {
        return new ArrayList<>(all.subList(Math.max(0, index - HISTORY), index));
    }
}
