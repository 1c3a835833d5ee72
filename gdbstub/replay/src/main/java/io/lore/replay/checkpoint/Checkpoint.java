package io.lore.replay.checkpoint;

/**
 * One whole-machine checkpoint of a {@link CheckpointStore}: the vCPU state and, for memory, the
 * page versions it holds (the pages written since the checkpoint it was taken from; the first
 * checkpoint holds every non-zero page). Its memory as a whole is only defined together with
 * the store's other checkpoints, so it is restored through the store.
 */
public final class Checkpoint {
    private final long id;
    private final long position;
    private final VcpuState vcpu;
    int[] pages = new int[0]; // the pages it holds a version of, increasing; owned by the store
    long pageBytes;           // bytes of page contents it holds (zero pages cost nothing)
    boolean live = true;

    Checkpoint(long id, long position, VcpuState vcpu) {
        this.id = id;
        this.position = position;
        this.vcpu = vcpu;
    }

    /** Sequence number in the store, in order of taking (never reused). */
    public long id() {
        return id;
    }

    /** The position it was taken at (opaque to the store: exit ordinal, instruction count, ...). */
    public long position() {
        return position;
    }

    public VcpuState vcpuState() {
        return vcpu;
    }

    /** Pages this checkpoint holds a version of. */
    public int pagesHeld() {
        return pages.length;
    }

    /** Bytes held: page contents, vCPU state and bookkeeping. */
    public long bytesHeld() {
        return CheckpointStore.bytesOf(this);
    }

    /** False once evicted or removed: it can no longer be restored. */
    public boolean isLive() {
        return live;
    }

    @Override
    public String toString() {
        return "checkpoint #" + id + " at " + position + " (" + pages.length + " pages" + (live ? "" : ", evicted") + ")";
    }
}
