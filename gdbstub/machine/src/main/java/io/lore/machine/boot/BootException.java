package io.lore.machine.boot;

/** A kernel or initrd image cannot be booted; the message says what is wrong with which file. */
public class BootException extends RuntimeException {
    public BootException(String message) {
        super(message);
    }
}
