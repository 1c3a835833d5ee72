package io.lore.replay;

/** LoRe's version, from the jar manifest when there is one. */
public final class Version {
    private Version() {}

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }
}
