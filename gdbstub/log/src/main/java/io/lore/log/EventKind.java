package io.lore.log;

import java.util.Locale;

/** Event kinds with their stable codes in the file format (never renumber). */
public enum EventKind {
    PIO_IN(1), PIO_OUT(2), MMIO_READ(3), MMIO_WRITE(4), HALT(5), INTERRUPT(6), SERIAL_INPUT(7), DIGEST(8), END(9), TSC(10);

    public final int code;

    EventKind(int code) {
        this.code = code;
    }

    private static final EventKind[] BY_CODE = new EventKind[16];

    static {
        for (EventKind k : values()) {
            BY_CODE[k.code] = k;
        }
    }

    /** The kind with {@code code}, or null for a code this version does not know. */
    public static EventKind ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Lower-case name with dashes, as the CLI shows and accepts it (pio-in, interrupt, ...). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static EventKind ofLabel(String label) {
        for (EventKind k : values()) {
            if (k.label().equals(label)) {
                return k;
            }
        }
        return null;
    }
}
