package io.lore.kvm;

import com.sun.jna.LastErrorException;

/** A KVM operation failed; the message names the operation and says what the errno means. */
public class KvmException extends RuntimeException {
    private final int errno;

    public KvmException(String message) {
        this(message, 0);
    }

    public KvmException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    static KvmException of(String operation, LastErrorException e) {
        int errno = e.getErrorCode();
        return new KvmException(operation + " failed: " + LibC.strerror(errno) + " (errno " + errno + ")", errno);
    }
}
