package io.lore.cli;

import java.util.function.Supplier;

/**
 * A live one-line status on the terminal, redrawn in place twice a second. Shown only when
 * the console is interactive, so logs and pipes stay clean.
 */
final class StatusLine implements AutoCloseable {
    private final Thread thread;
    private volatile boolean done;
    private final boolean enabled;

    StatusLine(Supplier<String> text) {
        this.enabled = System.console() != null && !"0".equals(System.getenv("LORE_STATUS"));
        this.thread = new Thread(() -> {
            while (!done) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                if (!done) {
                    System.err.print("\r\033[K" + text.get());
                    System.err.flush();
                }
            }
        }, "lore-status");
        thread.setDaemon(true);
        if (enabled) {
            thread.start();
        }
    }

    @Override
    public void close() {
        done = true;
        if (enabled) {
            thread.interrupt();
            System.err.print("\r\033[K");
            System.err.flush();
        }
    }
}
