package io.lore.ui.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The replays running in this IDE; the Timeline view follows the newest. */
public final class ReplaySessions {
    private static final ReplaySessions INSTANCE = new ReplaySessions();
    private final List<ReplaySession> sessions = new CopyOnWriteArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public static ReplaySessions get() {
        return INSTANCE;
    }

    private ReplaySessions() {}

    public void add(ReplaySession s) {
        sessions.add(s);
        fire();
    }

    public void remove(ReplaySession s) {
        if (sessions.remove(s)) {
            fire();
        }
    }

    /** The newest replay, or null. */
    public ReplaySession active() {
        List<ReplaySession> l = new ArrayList<>(sessions);
        return l.isEmpty() ? null : l.get(l.size() - 1);
    }

    public List<ReplaySession> all() {
        return List.copyOf(sessions);
    }

    /** Called (on any thread) when a replay starts or ends. */
    public void addListener(Runnable l) {
        listeners.add(l);
    }

    public void removeListener(Runnable l) {
        listeners.remove(l);
    }

    private void fire() {
        for (Runnable l : listeners) {
            l.run();
        }
    }

    /** Ends every replay (the IDE is shutting down). */
    public void closeAll() {
        for (ReplaySession s : sessions) {
            try {
                s.debug().close();
            } catch (RuntimeException e) {
                // shutting down anyway
            }
        }
        sessions.clear();
    }
}
