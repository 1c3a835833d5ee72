package io.lore.kmod;

/** /dev/lore refused or failed an operation; the message says which and why, in one line. */
public final class KmodException extends RuntimeException {
    private final int errno;

    public KmodException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public KmodException(String message) {
        this(message, 0);
    }

    /** The errno of the failed call, 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }
}
