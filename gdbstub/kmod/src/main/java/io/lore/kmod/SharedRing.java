package io.lore.kmod;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direction of lore.ko's circular buffer seen from user space: kmod/lore_ring.h in Java,
 * with the same rules. Each side keeps its own index and publishes it with a release store;
 * the other side's index is read with an acquire load and range-checked, so a ring that
 * went wrong is reported, never followed.
 */
final class SharedRing {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer area;
    private final int ring;     // offset of struct lore_ring in the area
    private final int records;  // offset of record 0
    private final long capacity;
    private long pos;           // our own index: tail for a consumer, head for a producer

    private SharedRing(ByteBuffer area, int ring, int records, int capacity, boolean consumer) {
        if (Integer.bitCount(capacity) != 1 || capacity < 64) {
            throw new KmodException("lore.ko ring capacity " + capacity + " is not a power of two of at least 64");
        }
        if ((long) records + (long) capacity * LoreAbi.RECORD_SIZE > area.capacity()) {
            throw new KmodException("lore.ko ring runs past its mapping");
        }
        this.area = area;
        this.ring = ring;
        this.records = records;
        this.capacity = capacity;
        this.pos = (long) LONG.getAcquire(area, ring + (consumer ? LoreAbi.RING_TAIL : LoreAbi.RING_HEAD));
    }

    /** The side that takes records (the event ring). */
    static SharedRing consumer(ByteBuffer area, int ring, int records, int capacity) {
        return new SharedRing(area, ring, records, capacity, true);
    }

    /** The side that puts records (the feed ring). */
    static SharedRing producer(ByteBuffer area, int ring, int records, int capacity) {
        return new SharedRing(area, ring, records, capacity, false);
    }

    /** Consumer: records ready. */
    long available() {
        long head = (long) LONG.getAcquire(area, ring + LoreAbi.RING_HEAD);
        long avail = head - pos;
        if (Long.compareUnsigned(avail, capacity) > 0) {
            throw new KmodException("lore.ko's ring is inconsistent (head " + head + ", tail " + pos + ")");
        }
        return avail;
    }

    /** Consumer: the next record, or null when there is none. */
    KernelRecord poll() {
        if (available() == 0) {
            return null;
        }
        KernelRecord r = KernelRecord.read(area, slot(pos));
        pos++;
        LONG.setRelease(area, ring + LoreAbi.RING_TAIL, pos); // the slot is free only after the copy
        return r;
    }

    /** Producer: free slots. */
    long free() {
        long used = pos - (long) LONG.getAcquire(area, ring + LoreAbi.RING_TAIL);
        return Long.compareUnsigned(used, capacity) > 0 ? 0 : capacity - used;
    }

    /** Producer: appends a record; false when the ring is full. */
    boolean offer(KernelRecord r) {
        if (free() == 0) {
            return false;
        }
        r.write(area, slot(pos));
        pos++;
        LONG.setRelease(area, ring + LoreAbi.RING_HEAD, pos); // the record before the index
        return true;
    }

    /** What the producer counted as lost because the ring was full. */
    long dropped() {
        return (long) LONG.getAcquire(area, ring + LoreAbi.RING_DROPPED);
    }

    private int slot(long index) {
        return records + (int) (index & (capacity - 1)) * LoreAbi.RECORD_SIZE;
    }
}
