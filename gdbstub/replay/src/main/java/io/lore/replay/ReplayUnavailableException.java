package io.lore.replay;

/** This host cannot replay the recording (it needs something the host lacks); the message says what. */
public final class ReplayUnavailableException extends IllegalArgumentException {
    public ReplayUnavailableException(String message) {
        super(message);
    }
}
