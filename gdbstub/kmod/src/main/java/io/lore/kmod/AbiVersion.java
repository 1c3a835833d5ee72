package io.lore.kmod;

/** What LORE_IOC_VERSION answered: the module's ABI, its capabilities and its record size. */
public record AbiVersion(int abi, int caps, int recordSize) {
    /** Refuses a module this code cannot talk to, saying what to do about it. */
    public void check() {
        if (abi != LoreAbi.VERSION) {
            throw new KmodException("lore.ko speaks ABI " + abi + " but this LoRe needs ABI " + LoreAbi.VERSION
                    + ": load the lore.ko built from the same source (kmod/)");
        }
        if (recordSize != LoreAbi.RECORD_SIZE) {
            throw new KmodException("lore.ko reports " + recordSize + "-byte records, expected " + LoreAbi.RECORD_SIZE);
        }
    }

    public boolean can(int cap) {
        return (caps & cap) != 0;
    }

    /** "trace tsc" style list, for messages. */
    public String capabilities() {
        StringBuilder b = new StringBuilder();
        if (can(LoreAbi.CAP_TRACE)) b.append("trace ");
        if (can(LoreAbi.CAP_TSC)) b.append("tsc ");
        if (can(LoreAbi.CAP_BRANCH)) b.append("branch ");
        return b.length() == 0 ? "none" : b.toString().trim();
    }
}
