package io.lore.kmod;

import java.util.function.Consumer;

/** The consuming end of lore.ko's event ring. */
public final class SharedRingReader {
    private final SharedRing ring;

    SharedRingReader(SharedRing ring) {
        this.ring = ring;
    }

    /** Hands every record that is ready to {@code sink}; returns how many. */
    public int drain(Consumer<KernelRecord> sink) {
        int n = 0;
        for (KernelRecord r = ring.poll(); r != null; r = ring.poll()) {
            sink.accept(r);
            n++;
        }
        return n;
    }

    public long available() {
        return ring.available();
    }

    /** Records the module could not store because the ring was full. */
    public long dropped() {
        return ring.dropped();
    }
}
