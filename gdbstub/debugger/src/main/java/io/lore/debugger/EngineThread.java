package io.lore.debugger;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread that touches the replaying machine. KVM binds a vCPU's kick signal to the
 * thread that runs it, so the engine is created and driven here; every other thread (the GDB
 * server, an IDE's UI) submits work and waits.
 */
final class EngineThread implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lore-engine");
        t.setDaemon(true);
        return t;
    });

    /** Runs {@code work} on the engine thread and returns its result; its exceptions are rethrown as they are. */
    <T> T call(Callable<T> work) {
        Future<T> f = executor.submit(work);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the engine work finishes regardless; keep the flag for the caller
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c.getMessage(), c);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
