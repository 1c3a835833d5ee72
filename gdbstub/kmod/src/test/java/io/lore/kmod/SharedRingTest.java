package io.lore.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The Java ends of the shared rings, on a buffer laid out as lore.ko lays out its mapping:
 * one side in Java, the other played by a second Java view, as kernel and user space do.
 */
class SharedRingTest {
    private static final int RECORDS = 4096;
    private static final int CAP = 64;

    private static ByteBuffer area() {
        ByteBuffer b = ByteBuffer.allocateDirect(RECORDS + CAP * LoreAbi.RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LoreAbi.RING_EVENTS + LoreAbi.RING_CAPACITY, CAP);
        return b;
    }

    private static KernelRecord tsc(long n) {
        return new KernelRecord(LoreAbi.REC_TSC, 0, 1, 0, n, 0x1000 + n, n * 1000);
    }

    @Test
    void recordsCrossInOrderThroughManyWraps() {
        ByteBuffer a = area();
        SharedRing producer = SharedRing.producer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        SharedRing consumer = SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        long in = 0, out = 0;
        for (int round = 0; round < 500; round++) {
            for (int i = 0; i < 1 + round % 50; i++) {
                if (producer.offer(tsc(in))) {
                    in++;
                }
            }
            for (int i = 0; i < 1 + round % 37; i++) {
                KernelRecord r = consumer.poll();
                if (r == null) {
                    break;
                }
                assertEquals(tsc(out), r);
                out++;
            }
        }
        for (KernelRecord r = consumer.poll(); r != null; r = consumer.poll()) {
            assertEquals(tsc(out++), r);
        }
        assertEquals(in, out);
        assertTrue(in > 20 * CAP);
        assertEquals(in, a.getLong(LoreAbi.RING_EVENTS + LoreAbi.RING_HEAD));
        assertEquals(in, a.getLong(LoreAbi.RING_EVENTS + LoreAbi.RING_TAIL));
    }

    @Test
    void fullRingRefusesWithoutOverwriting() {
        ByteBuffer a = area();
        SharedRing producer = SharedRing.producer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        SharedRing consumer = SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        for (int i = 0; i < CAP; i++) {
            assertTrue(producer.offer(tsc(i)));
        }
        assertEquals(0, producer.free());
        assertFalse(producer.offer(tsc(99)));
        assertEquals(tsc(0), consumer.poll());
        assertEquals(1, producer.free());
    }

    @Test
    void theRecordLayoutIsTheKernelsOne() {
        ByteBuffer a = area();
        SharedRing consumer = SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        // what lore_rec_pio writes for an 8-bit IN of 0x9c from port 0x40 at exit 17 on vCPU 2
        a.put(RECORDS, (byte) LoreAbi.REC_PIO).put(RECORDS + 1, (byte) 1).putShort(RECORDS + 2, (short) 2)
                .putInt(RECORDS + 4, 0x40).putLong(RECORDS + 8, 17).putLong(RECORDS + 16, 1).putLong(RECORDS + 24, 0x9c);
        a.putLong(LoreAbi.RING_EVENTS + LoreAbi.RING_HEAD, 1);
        assertEquals(new KernelRecord(LoreAbi.REC_PIO, 1, 2, 0x40, 17, 1, 0x9c), consumer.poll());
        assertNull(consumer.poll());
    }

    @Test
    void anImpossibleHeadIsReportedNotFollowed() {
        ByteBuffer a = area();
        SharedRing consumer = SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, CAP);
        a.putLong(LoreAbi.RING_EVENTS + LoreAbi.RING_HEAD, CAP + 1);
        KmodException e = assertThrows(KmodException.class, consumer::poll);
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
        a.putLong(LoreAbi.RING_EVENTS + LoreAbi.RING_HEAD, -3);
        assertThrows(KmodException.class, consumer::available);
    }

    @Test
    void aRingThatDoesNotFitItsMappingIsRefused() {
        ByteBuffer a = area();
        assertThrows(KmodException.class, () -> SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, 128));
        assertThrows(KmodException.class, () -> SharedRing.consumer(a, LoreAbi.RING_EVENTS, RECORDS, 100));
    }
}
