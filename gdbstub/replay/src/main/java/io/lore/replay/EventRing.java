package io.lore.replay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * LoRe's reusable circular buffer, in user space: the vCPU thread appends fixed-size records
 * (four longs) into a preallocated ring and a writer thread drains them. Single producer,
 * single consumer, no locks and no allocation on the producer side. When the writer falls
 * behind, the producer waits for room (backpressure): no record is ever dropped.
 */
public final class EventRing {
    public static final int RECORD_LONGS = 4;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(EventRing.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(EventRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final int mask;
    @SuppressWarnings("unused") private volatile long head; // next record to write (producer)
    @SuppressWarnings("unused") private volatile long tail; // next record to read (consumer)
    private long producerWaits;
    private volatile Thread consumer;

    /** {@code records} is rounded up to a power of two. */
    public EventRing(int records) {
        int n = records <= 16 ? 16 : Integer.highestOneBit(records - 1) << 1;
        this.slots = new long[n * RECORD_LONGS];
        this.mask = n - 1;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Producer: append one record, waiting for room if the ring is full. */
    public void put(long w0, long w1, long w2, long w3) {
        long h = (long) HEAD.getOpaque(this);
        while (h - (long) TAIL.getAcquire(this) > mask) {
            producerWaits++;
            wakeConsumer();
            LockSupport.parkNanos(20_000);
        }
        int i = (int) (h & mask) * RECORD_LONGS;
        slots[i] = w0;
        slots[i + 1] = w1;
        slots[i + 2] = w2;
        slots[i + 3] = w3;
        HEAD.setRelease(this, h + 1);
    }

    /** Times the producer had to wait for the writer (a figure for the status line). */
    public long producerWaits() {
        return producerWaits;
    }

    /** Consumer: how many records are ready. */
    public long available() {
        return (long) HEAD.getAcquire(this) - (long) TAIL.getOpaque(this);
    }

    /** Consumer: copy the next record into {@code into} (length 4) and release its slot. */
    public void take(long[] into) {
        long t = (long) TAIL.getOpaque(this);
        if ((long) HEAD.getAcquire(this) == t) {
            throw new IllegalStateException("ring is empty");
        }
        int i = (int) (t & mask) * RECORD_LONGS;
        System.arraycopy(slots, i, into, 0, RECORD_LONGS);
        TAIL.setRelease(this, t + 1);
    }

    public void setConsumer(Thread t) {
        consumer = t;
    }

    public void wakeConsumer() {
        Thread t = consumer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
