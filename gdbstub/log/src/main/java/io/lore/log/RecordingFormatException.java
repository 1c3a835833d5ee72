package io.lore.log;

/** A recording is malformed; the message says where (file offset, event index) and what. */
public class RecordingFormatException extends RuntimeException {
    public RecordingFormatException(String message) {
        super(message);
    }
}
