package io.lore.machine;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads the serial console's input source on its own thread (stdin or a file may block) and
 * hands bytes to the vCPU thread through a queue, waking the loop so the UART sees them.
 */
final class SerialInputPump implements Runnable {
    private final InputStream in;
    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    private volatile Runnable onInput = () -> {};
    private volatile boolean closed;

    SerialInputPump(InputStream in) {
        this.in = in;
    }

    void start(Runnable wake) {
        this.onInput = wake;
        Thread t = new Thread(this, "lore-serial-input");
        t.setDaemon(true);
        t.start();
    }

    boolean hasInput() {
        return !queue.isEmpty();
    }

    Integer peek() {
        return queue.peek();
    }

    void take() {
        queue.poll();
    }

    void close() {
        closed = true;
    }

    @Override
    public void run() {
        byte[] buf = new byte[256];
        try {
            int n;
            while (!closed && (n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    queue.add(buf[i] & 0xff);
                }
                onInput.run();
            }
        } catch (IOException e) {
            // input source gone: the guest simply sees no more input
        }
    }
}
