package io.lore.ui.launch;

/** Launch configuration attribute keys of LoRe's launch types. */
public final class LaunchAttributes {
    private LaunchAttributes() {}

    public static final String RECORD_TYPE = "io.lore.launch.record";
    public static final String REPLAY_TYPE = "io.lore.launch.replay";

    // LoRe Record
    public static final String KERNEL = "io.lore.kernel";
    public static final String INITRD = "io.lore.initrd";
    public static final String CMDLINE = "io.lore.cmdline";
    public static final String MEMORY_MIB = "io.lore.memoryMiB";
    public static final String OUTPUT = "io.lore.output";

    // LoRe Replay
    public static final String RECORDING = "io.lore.recording";
    public static final String SYMBOLS = "io.lore.symbols";
    /** The server port; absent or -1: the LoRe preference. */
    public static final String PORT = "io.lore.port";
    /** Whether Debug mode starts a CDT session (default true). */
    public static final String START_CDT = "io.lore.startCdt";
}
