package io.lore.ui.prefs;

import io.lore.ui.LorePlugin;
import org.eclipse.jface.preference.IPreferenceStore;

/** The LoRe preferences: where the replay server listens, how much it may keep, which gdb. */
public final class LorePreferences {
    private LorePreferences() {}

    /** Default port of the replay server (0: any free port). */
    public static final String PORT = "replay.port";
    /** Memory the replay may use for checkpoints, in MiB (0: the engine's default). */
    public static final String CHECKPOINT_MIB = "replay.checkpointMiB";
    /** The gdb executable used by CDT sessions and shown in connection hints. */
    public static final String GDB_PATH = "gdb.path";

    public static final int DEFAULT_PORT = 0;
    public static final int DEFAULT_CHECKPOINT_MIB = 512;
    public static final String DEFAULT_GDB_PATH = "gdb";

    private static IPreferenceStore store() {
        return LorePlugin.get().getPreferenceStore();
    }

    public static int port() {
        return store().getInt(PORT);
    }

    public static long checkpointBudgetBytes() {
        return store().getInt(CHECKPOINT_MIB) * 1024L * 1024L;
    }

    public static String gdbPath() {
        String s = store().getString(GDB_PATH).trim();
        return s.isEmpty() ? DEFAULT_GDB_PATH : s;
    }
}
