package io.lore.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventRingTest {
    @Test
    void aSlowConsumerGetsEveryRecordInOrder() {
        EventRing ring = new EventRing(16);
        int n = 20_000;
        long[] got = new long[n];
        Thread consumer = new Thread(() -> {
            long[] r = new long[4];
            for (int i = 0; i < n; i++) {
                while (ring.available() == 0) {
                    Thread.onSpinWait();
                }
                ring.take(r);
                got[i] = r[1];
                if (i % 1000 == 0) {
                    try {
                        Thread.sleep(1); // fall behind now and then
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            consumer.start();
            for (int i = 0; i < n; i++) {
                ring.put(7, i, 0, 0);
            }
            consumer.join();
        });
        for (int i = 0; i < n; i++) {
            assertEquals(i, got[i]);
        }
        assertTrue(ring.producerWaits() > 0, "a 16-record ring must have pushed back on the producer");
    }

    @Test
    void capacityIsAPowerOfTwo() {
        assertEquals(16, new EventRing(10).capacity());
        assertEquals(1024, new EventRing(1000).capacity());
        assertEquals(1024, new EventRing(1024).capacity());
    }
}
