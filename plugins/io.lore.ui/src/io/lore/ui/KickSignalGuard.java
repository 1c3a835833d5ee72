package io.lore.ui;

import io.lore.kvm.KickSignalHandler;

/**
 * Keeps the engine's vCPU kick signal from killing the IDE: the engine's own no-op handler
 * ({@link KickSignalHandler}, which explains why a long-lived JVM needs it), installed as soon
 * as the UI starts rather than at the first vCPU.
 */
public final class KickSignalGuard {
    /** The kick signal's number (io.lore.kvm's). */
    public static final int KICK_SIGNAL = KickSignalHandler.signal();

    private KickSignalGuard() {}

    /** Installs the no-op handler unless the signal already has one; returns what was done, in one line. */
    public static String install() {
        return KickSignalHandler.install();
    }

    /** The address of the current handler of the kick signal (0: the default action). */
    public static long currentHandler() {
        return KickSignalHandler.currentHandler();
    }
}
