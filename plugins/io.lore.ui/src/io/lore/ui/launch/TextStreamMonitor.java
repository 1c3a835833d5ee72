package io.lore.ui.launch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.debug.core.IStreamListener;
import org.eclipse.debug.core.model.IFlushableStreamMonitor;

/**
 * Text appended by LoRe (a guest's serial output, the replay server's messages) as the debug
 * platform's console reads it. Appends and the console's hand-over (read contents, then
 * listen) both synchronise on this monitor, so no text is lost or shown twice.
 */
public final class TextStreamMonitor implements IFlushableStreamMonitor {
    private final List<IStreamListener> listeners = new CopyOnWriteArrayList<>();
    private final StringBuilder contents = new StringBuilder();
    private boolean buffered = true;
    private final StringBuilder all = new StringBuilder();

    public synchronized void append(String text) {
        if (text.isEmpty()) {
            return;
        }
        all.append(text);
        if (buffered) {
            contents.append(text);
        }
        for (IStreamListener l : listeners) {
            l.streamAppended(text, this);
        }
    }

    /** Everything ever appended (the console may have taken and flushed the buffer). */
    public synchronized String text() {
        return all.toString();
    }

    @Override
    public synchronized void addListener(IStreamListener listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized void removeListener(IStreamListener listener) {
        listeners.remove(listener);
    }

    @Override
    public synchronized String getContents() {
        return contents.toString();
    }

    @Override
    public synchronized void flushContents() {
        contents.setLength(0);
    }

    @Override
    public synchronized void setBuffered(boolean buffer) {
        buffered = buffer;
    }

    @Override
    public synchronized boolean isBuffered() {
        return buffered;
    }
}
