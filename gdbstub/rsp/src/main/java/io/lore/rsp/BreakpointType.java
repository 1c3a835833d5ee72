package io.lore.rsp;

/** Z/z packet types 0-4. */
public enum BreakpointType {
    SOFTWARE, HARDWARE, WRITE_WATCH, READ_WATCH, ACCESS_WATCH;

    public static BreakpointType ofZ(int z) {
        return z >= 0 && z < values().length ? values()[z] : null;
    }

    public boolean isWatchpoint() {
        return ordinal() >= 2;
    }
}
