package io.lore.kmod;

/** The producing end of lore.ko's feed ring (replay values for the module). */
public final class SharedRingWriter {
    private final SharedRing ring;

    SharedRingWriter(SharedRing ring) {
        this.ring = ring;
    }

    /** Appends a record; false when the ring is full (try again after the guest consumed some). */
    public boolean offer(KernelRecord r) {
        return ring.offer(r);
    }

    public long free() {
        return ring.free();
    }
}
