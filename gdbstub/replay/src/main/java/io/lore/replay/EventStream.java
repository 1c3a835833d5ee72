package io.lore.replay;

import io.lore.log.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/** The recording's events with one-event lookahead and a short memory of what was consumed. */
final class EventStream {
    private static final int HISTORY = 8;
    private final Iterator<Event> it;
    private final Deque<Event> history = new ArrayDeque<>();
    private Event next;
    private long index;
    private volatile long progress;

    EventStream(Iterator<Event> it) {
        this.it = it;
        advance();
    }

    private void advance() {
        next = it.hasNext() ? it.next() : null;
    }

    Event peek() {
        return next;
    }

    /** Index of the event {@link #peek()} returns. */
    long index() {
        return index;
    }

    Event take() {
        Event e = next;
        history.addLast(e);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        index++;
        progress = index;
        advance();
        return e;
    }

    /** {@link #index()} for other threads (the stall watchdog). */
    long progress() {
        return progress;
    }

    List<Event> recent() {
        return new ArrayList<>(history);
    }
}
