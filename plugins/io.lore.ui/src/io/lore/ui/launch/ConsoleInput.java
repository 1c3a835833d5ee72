package io.lore.ui.launch;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What the user types in the Console view, as the guest's serial input; {@link #close()} ends it. */
public final class ConsoleInput extends InputStream {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;
    private volatile boolean closed;

    public void offer(byte[] bytes) {
        if (!closed && bytes.length > 0) {
            queue.add(bytes.clone());
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        try {
            while (pos >= current.length) {
                if (closed && queue.isEmpty()) {
                    return -1;
                }
                byte[] next = queue.poll(100, TimeUnit.MILLISECONDS);
                if (next == END) {
                    return -1;
                }
                if (next != null) {
                    current = next;
                    pos = 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - pos;
    }

    @Override
    public void close() {
        closed = true;
        queue.add(END);
    }
}
