package io.lore.rsp;

/** Where the stub reports what happens: one line per event, no stack traces. */
@FunctionalInterface
public interface RspLog {
    void log(String line);

    /** Lines on standard error, prefixed with "lore-rsp: ". */
    RspLog STDERR = line -> System.err.println("lore-rsp: " + line);

    RspLog SILENT = line -> {};
}
