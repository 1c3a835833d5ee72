package io.lore.cli;

/** The command line is wrong; the message says how (exit status 2). */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
