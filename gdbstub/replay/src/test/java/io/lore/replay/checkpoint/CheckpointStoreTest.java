package io.lore.replay.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.kvm.ExitReason;
import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Sregs;
import io.lore.machine.RunResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whole-machine checkpoints on the real /dev/kvm: exact restores in every direction, eviction, costs. */
@Timeout(300)
class CheckpointStoreTest {
    /** Bound for the short runs between restores (a guest on fresh devices may wait for a timer that never comes). */
    private static final Duration SHORT = Duration.ofSeconds(1);

    /**
     * Checkpoints at several points of a run, each with a full copy of memory and the vCPU taken
     * at the same moment; then restores backwards, forwards, the same one twice, the first one,
     * each time after letting the guest run on a little (so it dirties pages after the base), and
     * demands byte-identical memory and identical vCPU state.
     */
    @ParameterizedTest
    @CsvSource({"demo.elf, 300", "hello.elf, 60"})
    void restoresAreExactInEveryDirection(String guest, int step) throws Exception {
        try (TestGuest g = TestGuest.boot(guest, "", 128);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            List<Checkpoint> cps = new ArrayList<>();
            Map<Checkpoint, TestGuest.Snapshot> copies = new HashMap<>();
            List<Long> takeNanos = new ArrayList<>();
            RunResult r = g.runTo(1, null);
            while (cps.size() < 8) {
                long t0 = System.nanoTime();
                Checkpoint c = store.take(g.position());
                takeNanos.add(System.nanoTime() - t0);
                cps.add(c);
                copies.put(c, g.snapshot());
                r = g.runTo(g.position() + step, null);
                if (r.outcome() != RunResult.Outcome.STOPPED) {
                    break; // the guest ended
                }
            }
            int n = cps.size();
            assertTrue(n >= 4, guest + " ran long enough for " + n + " checkpoints");
            report(guest, store, cps, takeNanos);

            int[] order = {n / 2, 0, n - 1, n - 1, 1, n - 2, n / 2, 0, 0};
            boolean ended = r.outcome() != RunResult.Outcome.STOPPED;
            boolean first = true;
            for (int i : order) {
                if (!first) {
                    if (ended) {
                        g.freshDevices(); // the old ones would end the next run at its first PIO exit
                    }
                    RunResult more = g.run(g.position() + 150, null, false, SHORT); // dirty pages after the base
                    ended = more.outcome() != RunResult.Outcome.STOPPED;
                }
                first = false;
                Checkpoint c = cps.get(i);
                CheckpointStore.Restored res = store.restore(c);
                g.position(c.position());
                g.assertMatches(copies.get(c), guest + ": after restoring " + c);
                assertSame(c, store.base());
                System.out.printf("[checkpoint] %s: restore %s: %d guest-dirty pages, %d examined, %d rewritten, %.2f ms%n",
                        guest, c, res.guestDirtyPages(), res.pagesExamined(), res.pagesRewritten(), res.nanos() / 1e6);
            }
        }
    }

    /**
     * After a restore the guest must behave exactly as it did the first time: the same serial
     * output from there on, the same number of exits to the same end, the same final memory and
     * vCPU. Checkpoints are taken from inside the run loop; one restore happens while an IN is
     * pending in KVM.
     */
    @ParameterizedTest
    @CsvSource({"exits.elf, n=3000", "hello.elf, ''"})
    void aRestoredGuestRunsOnIdentically(String guest, String cmdline) throws Exception {
        try (TestGuest g = TestGuest.boot(guest, cmdline, 128);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            Set<Long> at = new HashSet<>(List.of(1L, 40L, 150L, 400L, 1500L, 2990L));
            Map<Long, Integer> serialAt = new LinkedHashMap<>();
            RunResult original = g.runToEnd(pos -> {
                if (at.contains(pos)) {
                    store.take(pos);
                    serialAt.put(pos, g.serial().length);
                }
            });
            assertEquals(RunResult.Outcome.DEBUG_EXIT, original.outcome(), original.detail());
            byte[] output = g.serial();
            long end = g.position();
            TestGuest.Snapshot finalState = g.snapshot();
            List<Checkpoint> cps = store.checkpoints();
            assertTrue(cps.size() >= 3, "checkpoints taken: " + cps);

            Checkpoint mid = cps.get(cps.size() / 2);
            List<Checkpoint> order = List.of(mid, cps.get(1), mid, cps.get(cps.size() - 1), cps.get(0));
            for (int k = 0; k < order.size(); k++) {
                Checkpoint c = order.get(k);
                store.restore(c);
                g.position(c.position());
                g.freshDevices();
                if (k == 2) {
                    // stop at the next IN with KVM still holding it, and restore over it
                    RunResult part = g.runToPendingIn(c.position());
                    assertEquals(RunResult.Outcome.STOPPED, part.outcome());
                    store.restore(c);
                    g.position(c.position());
                    g.freshDevices();
                }
                RunResult again = g.runToEnd(null);
                String what = guest + " from " + c;
                assertEquals(original.outcome(), again.outcome(), what);
                assertEquals(original.exitStatus(), again.exitStatus(), what);
                assertEquals(end, g.position(), what + ": same number of exits to the end");
                byte[] expected = Arrays.copyOfRange(output, serialAt.get(c.position()), output.length);
                assertArrayEquals(expected, g.serial(), what + ": same serial output from there on");
                g.assertMatches(finalState, what + ": final state");
            }
        }
    }

    /**
     * Under a small budget the store evicts as it goes: it keeps the first checkpoint, stays
     * within budget, keeps the remaining ones spread over the whole run, and every remaining
     * checkpoint still restores exactly (versions of evicted checkpoints were handed on).
     */
    @Test
    void evictionUnderABudgetKeepsTheFirstAndStaysExact() throws Exception {
        try (TestGuest g = TestGuest.boot("demo.elf", "", 64);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            Map<Long, TestGuest.Snapshot> copies = new HashMap<>();
            g.runTo(1, null);
            Checkpoint first = store.take(1);
            copies.put(1L, g.snapshot());
            long budget = first.bytesHeld() + 10 * (first.vcpuState().sizeBytes() + 4 * 4096 + 1024);
            store.setBudget(budget);
            int[] taken = {1};
            long[] maxHeld = {0};
            RunResult r = g.runToEnd(pos -> {
                if (pos % 40 == 0) {
                    store.take(pos);
                    taken[0]++;
                    copies.put(pos, g.snapshot());
                    assertTrue(store.bytesHeld() <= budget || store.size() <= 3,
                            "over budget with " + store.size() + " checkpoints: " + store.bytesHeld() + " > " + budget);
                    maxHeld[0] = Math.max(maxHeld[0], store.bytesHeld());
                }
            });
            assertEquals(RunResult.Outcome.DEBUG_EXIT, r.outcome(), r.detail());
            List<Checkpoint> kept = store.checkpoints();
            assertSame(first, kept.get(0), "the first checkpoint is never evicted");
            assertTrue(first.isLive());
            assertEquals(taken[0] - kept.size(), store.evictions());
            long span = kept.get(kept.size() - 1).position() - first.position();
            long maxGap = 0;
            for (int i = 1; i < kept.size(); i++) {
                maxGap = Math.max(maxGap, kept.get(i).position() - kept.get(i - 1).position());
            }
            System.out.printf("[checkpoint] eviction: %d taken over %d exits, %d kept (%d bytes of budget %d, max %d),"
                    + " %d page versions handed on: %s%n", taken[0], g.position(), kept.size(), store.bytesHeld(), budget,
                    maxHeld[0], store.versionsHandedOn(), kept.stream().map(c -> c.position() + "").toList());
            assertTrue(store.versionsHandedOn() > 0, "evictions had to hand versions on");
            assertTrue(kept.size() >= 5, "the budget holds several checkpoints");
            assertTrue(maxGap <= 3 * span / (kept.size() - 1), "kept checkpoints are spread out, max gap " + maxGap);

            List<Checkpoint> shuffled = new ArrayList<>(kept);
            Collections.shuffle(shuffled, new Random(42));
            for (Checkpoint c : shuffled) {
                store.restore(c);
                g.position(c.position());
                g.assertMatches(copies.get(c.position()), "after evictions, restoring " + c);
            }

            assertThrows(IllegalArgumentException.class, () -> store.remove(first));
            assertThrows(IllegalArgumentException.class, () -> store.remove(store.base()));
            store.restore(kept.get(kept.size() - 1));
            store.setBudget(first.bytesHeld() + 3 * (first.vcpuState().sizeBytes() + 4 * 4096 + 1024));
            List<Checkpoint> fewer = store.checkpoints();
            assertTrue(fewer.size() < kept.size() && fewer.get(0) == first, "a smaller budget evicts more: " + fewer);
            for (Checkpoint c : kept) {
                if (!fewer.contains(c)) {
                    assertThrows(IllegalArgumentException.class, () -> store.restore(c), "evicted: " + c);
                }
            }
            Collections.reverse(fewer);
            for (Checkpoint c : fewer) {
                store.restore(c);
                g.assertMatches(copies.get(c.position()), "after more evictions, restoring " + c);
            }
        }
    }

    /**
     * A guest that writes almost no memory (exits.elf's OUT loop) gets checkpoints of a page or
     * two plus the vCPU state; the first checkpoint holds only the non-zero pages. Prints the
     * cost of take() and restore().
     */
    @Test
    void incrementalCheckpointsOfAQuietGuestAreSmall() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=20000", 128);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            g.runTo(1, null);
            long t0 = System.nanoTime();
            Checkpoint first = store.take(1);
            long firstNanos = System.nanoTime() - t0;
            assertTrue(first.pagesHeld() > 0 && first.pagesHeld() < 1000,
                    "the first checkpoint holds the non-zero pages only: " + first.pagesHeld());
            System.out.printf("[checkpoint] first checkpoint of 128 MiB: %d non-zero pages, %d bytes, take %.2f ms%n",
                    first.pagesHeld(), first.bytesHeld(), firstNanos / 1e6);
            List<Long> nanos = new ArrayList<>();
            RunResult r = g.runToEnd(pos -> {
                if (pos % 2000 == 0) {
                    long s = System.nanoTime();
                    store.take(pos);
                    nanos.add(System.nanoTime() - s);
                }
            });
            assertEquals(RunResult.Outcome.DEBUG_EXIT, r.outcome());
            List<Checkpoint> cps = store.checkpoints();
            assertTrue(cps.size() >= 9, "checkpoints: " + cps.size());
            for (Checkpoint c : cps.subList(2, cps.size())) { // inside the OUT loop
                assertTrue(c.pagesHeld() <= 2, c + " holds few pages");
                assertTrue(c.bytesHeld() <= c.vcpuState().sizeBytes() + 2 * 4096 + 2 * CheckpointStore.VERSION_OVERHEAD
                        + CheckpointStore.CHECKPOINT_OVERHEAD, c + ": " + c.bytesHeld() + " bytes");
            }
            long total = 0;
            for (Checkpoint c : cps) {
                total += c.bytesHeld();
            }
            assertEquals(total, store.bytesHeld(), "the store's total is the sum of its checkpoints'");
            System.out.printf("[checkpoint] exits.elf: %d incremental checkpoints in the OUT loop: pages %s, %d bytes each,"
                    + " take median %.1f us%n", cps.size() - 1, cps.stream().skip(1).map(c -> c.pagesHeld() + "").toList(),
                    cps.get(cps.size() - 1).bytesHeld(), median(nanos) / 1e3);

            // restore costs: a near one (few pages) with and without dropping KVM's translations, a far one
            TestGuest.Snapshot atEnd = g.snapshot();
            for (boolean reset : new boolean[] {false, true}) {
                store.setResetTranslations(reset);
                Checkpoint near = cps.get(cps.size() - 2);
                CheckpointStore.Restored res = store.restore(near);
                System.out.printf("[checkpoint] restore one back (%s translations): %d examined, %d rewritten, %.3f ms%n",
                        reset ? "dropping" : "keeping", res.pagesExamined(), res.pagesRewritten(), res.nanos() / 1e6);
                store.restore(cps.get(cps.size() - 1));
                g.freshDevices();
                g.run(Long.MAX_VALUE, null, false, SHORT);
            }
            g.assertMatches(atEnd, "ran to the same end again");
            CheckpointStore.Restored far = store.restore(first);
            System.out.printf("[checkpoint] restore the first from the end: %d examined, %d rewritten, %.3f ms%n",
                    far.pagesExamined(), far.pagesRewritten(), far.nanos() / 1e6);
        }
    }

    /** floor(), the base, takes at an existing position and between existing checkpoints. */
    @Test
    void positionsFloorAndInsertion() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=1000", 32);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            assertNull(store.floor(100));
            g.runTo(10, null);
            Checkpoint c10 = store.take(10);
            TestGuest.Snapshot s10 = g.snapshot();
            g.runTo(200, null);
            Checkpoint c200 = store.take(200);
            TestGuest.Snapshot s200 = g.snapshot();
            assertNull(store.floor(9));
            assertSame(c10, store.floor(10));
            assertSame(c10, store.floor(199));
            assertSame(c200, store.floor(Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> store.take(150), "before the base");

            store.restore(c10);
            g.position(10);
            assertSame(c10, store.take(10), "a take at an existing checkpoint's position returns it");
            g.runTo(100, null);
            Checkpoint c100 = store.take(100); // between c10 and c200
            TestGuest.Snapshot s100 = g.snapshot();
            assertEquals(List.of(c10, c100, c200), store.checkpoints());
            assertSame(c100, store.floor(150));
            g.runTo(200, null);
            assertSame(c200, store.take(200), "deterministic: the same state at the same position");
            g.runTo(300, null);
            for (Checkpoint c : List.of(c200, c10, c100, c200, c100)) {
                store.restore(c);
                g.assertMatches(c == c10 ? s10 : c == c100 ? s100 : s200, "restoring " + c);
            }
            store.remove(c200);
            assertNotNull(store.floor(250));
            assertSame(c100, store.floor(250));
            store.restore(c10);
            g.assertMatches(s10, "restoring c10 after removing c200");
        }
    }

    /**
     * A restore writes memory from the host, which KVM does not log: another consumer of the
     * dirty log (a memory digest) must be told of every page whose content the restore changed.
     */
    @Test
    void otherConsumersLearnWhichPagesARestoreRewrote() throws Exception {
        try (TestGuest g = TestGuest.boot("hello.elf", "", 32);
                CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
            DirtyPageTracker.Consumer digest = g.tracker.register("digest");
            g.runTo(50, null);
            Checkpoint c = store.take(50);
            g.runToEnd(null);
            digest.take(); // the digest is up to date with memory as it is now
            TestGuest.Snapshot before = g.snapshot();
            CheckpointStore.Restored res = store.restore(c);
            List<Integer> changed = g.differingPages(before);
            long[] told = digest.take();
            assertTrue(!changed.isEmpty(), "the restore changed memory");
            for (int p : changed) {
                assertTrue(PageBitmap.get(told, p), "page " + p + " changed but the digest was not told");
            }
            assertEquals(changed.size(), res.pagesRewritten());
            assertArrayEquals(res.rewrittenPages(), told, "told exactly the rewritten pages");
        }
    }

    /**
     * Guest CPL3 code runs natively here, through KVM's shadow page tables, which do not notice
     * host writes to a guest page table. A restore that rewrites a page table must make KVM drop
     * its translations, or the guest goes on through the stale mapping.
     */
    @Test
    void aRestoreDropsKvmsStaleTranslationsOfRewrittenPageTables() throws Exception {
        for (boolean reset : new boolean[] {true, false}) {
            try (TestGuest g = TestGuest.boot("exits.elf", "n=100000", 32);
                    CheckpointStore store = new CheckpointStore(g.machine, g.tracker)) {
                g.runTo(100, null);
                KvmVcpu v = g.vcpu();
                GuestMemory mem = g.memory();
                VcpuState.completePendingExit(v);
                // Page tables of the guest runtime: identity 2 MiB pages. Make the first 4 MiB
                // user-accessible and map virtual 2-4 MiB to physical 4-6 MiB, where the code
                // at virtual 0x300000 is "mov al, 2; out 0x80, al; jmp back"; physical 2-4 MiB
                // has the same loop with al = 1.
                Sregs s = v.getSregs();
                long pml4 = s.cr3 & ~0xfffL;
                long pdpt = mem.readLong(pml4) & 0x000ffffffffff000L;
                long pd = mem.readLong(pdpt) & 0x000ffffffffff000L;
                mem.writeLong(pml4, mem.readLong(pml4) | 4);
                mem.writeLong(pdpt, mem.readLong(pdpt) | 4);
                mem.writeLong(pd + 8, 0x400000L | 0xe7);
                mem.write(0x300000, new byte[] {(byte) 0xb0, 1, (byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfa});
                mem.write(0x500000, new byte[] {(byte) 0xb0, 2, (byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfa});
                s.cs.selector = 0x33;
                s.cs.dpl = 3;
                s.cs.type = 0xb;
                s.ss.selector = 0x2b;
                s.ss.dpl = 3;
                s.ss.type = 3;
                v.setSregs(s);
                Regs r = v.getRegs();
                r.rip(0x300000);
                r.rflags(0x3002); // IOPL 3: OUT is allowed at CPL3
                v.setRegs(r);
                g.tracker.hostWrote(0, mem.size()); // the test wrote memory from the host
                Checkpoint c = store.take(100);
                assertEquals(2, nextOut(v), "CPL3 code through the mapping to 4-6 MiB");

                mem.writeLong(pd + 8, 0x200000L | 0xe7); // identity again
                g.tracker.hostWrote(pd, 8);
                VcpuState.completePendingExit(v);
                Sregs same = v.getSregs();
                v.setSregs(same); // what a vCPU restore does: not enough for KVM to re-read the mapping
                int stale = nextOut(v);
                g.machine.vm().setMemoryRegion(0, 1L << 32, mem, true); // this is
                g.machine.vm().setMemoryRegion(0, 0, mem, true);
                assertEquals(1, nextOut(v), "KVM now translates through the identity mapping");
                store.setResetTranslations(reset);
                store.restore(c); // rewrites the page directory: the mapping to 4-6 MiB again
                int after = nextOut(v);
                System.out.printf("[checkpoint] CPL3 code after a host write to its page directory: sees %s mapping;"
                        + " after a restore %s translations: %s mapping%n", stale == 2 ? "the stale" : "the new",
                        reset ? "dropping" : "keeping", after == 2 ? "the restored" : "a stale");
                if (reset) {
                    assertEquals(2, after, "after the restore the guest uses the restored page directory");
                }
            }
        }
    }

    /** Runs the vCPU to its next exit, which must be an OUT to 0x80; returns the byte written. */
    private static int nextOut(KvmVcpu v) {
        int reason = v.run();
        assertEquals(ExitReason.IO, reason, ExitReason.name(reason));
        assertEquals(0x80, v.runArea().ioPort());
        return v.runArea().ioData(0);
    }

    private static void report(String guest, CheckpointStore store, List<Checkpoint> cps, List<Long> takeNanos) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cps.size(); i++) {
            Checkpoint c = cps.get(i);
            sb.append(String.format("%n    at %d: %d pages, %d bytes, take %.2f ms", c.position(), c.pagesHeld(),
                    c.bytesHeld(), takeNanos.get(i) / 1e6));
        }
        System.out.printf("[checkpoint] %s: %d checkpoints, %d bytes held:%s%n", guest, cps.size(), store.bytesHeld(), sb);
    }

    private static double median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.isEmpty() ? 0 : s.get(s.size() / 2);
    }
}
