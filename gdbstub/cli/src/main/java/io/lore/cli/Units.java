package io.lore.cli;

/** Human-readable figures for messages. */
final class Units {
    private Units() {}

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        return String.format("%.1f MiB", b / (1024.0 * 1024));
    }
}
