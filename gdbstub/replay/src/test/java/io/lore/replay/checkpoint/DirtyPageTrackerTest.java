package io.lore.replay.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several consumers of one KVM dirty log, on the real /dev/kvm. */
@Timeout(60)
class DirtyPageTrackerTest {

    @Test
    void everyConsumerSeesEveryGuestWriteOnce() throws Exception {
        try (TestGuest g = TestGuest.boot("hello.elf", "", 32)) {
            DirtyPageTracker t = g.tracker;
            DirtyPageTracker.Consumer a = t.register("a");
            DirtyPageTracker.Consumer b = t.register("b");
            g.runTo(100, null);
            long[] a1 = a.take();
            assertTrue(PageBitmap.count(a1) > 0, "the guest wrote memory (stack, buffers)");
            g.runTo(200, null);
            long[] a2 = a.take();
            long[] b12 = b.take(); // b did not take in between: it has both windows
            long[] union = a1.clone();
            PageBitmap.or(union, a2);
            assertArrayEquals(union, b12, "b accumulated what a took in two parts");
            assertEquals(0, PageBitmap.count(a.take()), "nothing new: the guest has not run");

            DirtyPageTracker.Consumer late = t.register("late");
            assertEquals(0, late.pendingPages(), "a new consumer starts empty");
            g.runTo(300, null);
            assertArrayEquals(a.take(), late.take(), "from its registration on, a late consumer sees what the others see");
            b.take();
            late.close();
            g.runTo(400, null);
            assertArrayEquals(a.take(), b.take());
        }
    }

    @Test
    void hostWritesAreNotLoggedByKvmButCanBeReported() throws Exception {
        try (TestGuest g = TestGuest.boot("hello.elf", "", 32)) {
            DirtyPageTracker t = g.tracker;
            DirtyPageTracker.Consumer writer = t.register("writer");
            DirtyPageTracker.Consumer digest = t.register("digest");
            int page = 5000;
            g.memory().writeLong((long) page * DirtyPageTracker.PAGE_SIZE, 0x1234);
            assertFalse(PageBitmap.get(digest.take(), page), "KVM does not log host writes");

            long[] wrote = new long[t.words()];
            PageBitmap.set(wrote, page);
            t.hostWrote(wrote, writer);
            assertFalse(PageBitmap.get(writer.take(), page), "the writer is not told of its own writes");
            long[] seen = digest.take();
            assertTrue(PageBitmap.get(seen, page), "the other consumers are");
            assertEquals(1, PageBitmap.count(seen));

            t.hostWrote((long) page * DirtyPageTracker.PAGE_SIZE + 4000, 200); // spans two pages
            long[] both = digest.take();
            assertTrue(PageBitmap.get(both, page) && PageBitmap.get(both, page + 1));
            assertEquals(2, PageBitmap.count(both));
        }
    }
}
