package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GuestBranchCounterTest {
    @Test
    void overflowSignalIsTheKickSignal() throws Exception {
        Field f = Class.forName("io.lore.kvm.Kick").getDeclaredField("SIGNAL");
        f.setAccessible(true);
        assertEquals(f.getInt(null), GuestBranchCounter.OVERFLOW_SIGNAL);
    }

    @Test
    void attrCountsGuestOnlyConditionalBranches() {
        PerfEventAttr a = GuestBranchCounter.guestOnlyAttr(BranchEvent.AMD_ZEN);
        assertEquals(PerfEventAttr.PERF_TYPE_RAW, a.type);
        assertEquals(0xd1, a.config);
        assertEquals(GuestBranchCounter.DISARMED_PERIOD, a.sample_period, "a sampling event, so PERIOD works");
        assertTrue(a.has(PerfEventAttr.EXCLUDE_HOST));
        assertFalse(a.has(PerfEventAttr.EXCLUDE_GUEST));
        assertFalse(a.has(PerfEventAttr.EXCLUDE_USER), "guest user mode counts");
        assertFalse(a.has(PerfEventAttr.EXCLUDE_KERNEL), "guest kernel mode (CPL0) counts");
        assertTrue(a.has(PerfEventAttr.DISABLED));
        assertTrue(a.has(PerfEventAttr.PINNED), "never multiplexed");
        assertFalse(a.has(PerfEventAttr.INHERIT));
        assertFalse(a.has(PerfEventAttr.FREQ));
        assertEquals(0, a.flags & PerfEventAttr.PRECISE_IP_MASK, "no PEBS/IBS: they do not take raw guest-only events");
        assertEquals(1, a.wakeup_events);
        assertTrue(GuestBranchCounter.DISARMED_PERIOD > 0, "bit 63 clear, as PERF_EVENT_IOC_PERIOD requires");
        assertEquals(0x11c4, GuestBranchCounter.guestOnlyAttr(BranchEvent.INTEL_COND).config);
    }

    /** Blocks/waits for signals on the test thread; the same calls Kick makes. */
    static final class Sig {
        static {
            Native.register(Sig.class, "c");
        }

        static native int pthread_sigmask(int how, Pointer set, Pointer old);

        static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout) throws LastErrorException;
    }

    private static final int SIG_BLOCK = 0;
    private static final int POLL_IN = 1;

    /**
     * The overflow path for real, with the task clock standing in for the branch counter:
     * overflow → signal 40 aimed at this thread only (blocked here, as in a vCPU thread outside
     * KVM_RUN) → pending, carrying the counter's fd. Runs on its own thread so the mask dies with it.
     */
    @Test
    void overflowSendsSignal40ToTheOwningThread() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                overflowOnThisThread();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "pmu-overflow-test");
        t.start();
        t.join(30_000);
        assertFalse(t.isAlive());
        if (failure.get() != null) {
            if (failure.get() instanceof org.opentest4j.TestAbortedException skip) {
                throw skip;
            }
            throw new AssertionError(failure.get());
        }
    }

    private static void overflowOnThisThread() {
        Memory set = new Memory(128);
        set.clear();
        set.setLong(0, 1L << (GuestBranchCounter.OVERFLOW_SIGNAL - 1));
        assertEquals(0, Sig.pthread_sigmask(SIG_BLOCK, set, null));
        GuestBranchCounter c;
        try {
            c = GuestBranchCounter.openOnCurrentThread(PerfEventOpenTest.taskClock(), 100);
        } catch (PerfEventException e) {
            assumeTrue(false, "software perf events unavailable: " + e.getMessage());
            return;
        }
        Memory info = new Memory(128);
        Memory zero = new Memory(16);
        zero.clear();
        Memory oneSecond = new Memory(16);
        oneSecond.setLong(0, 1);
        oneSecond.setLong(8, 0);
        try {
            assertEquals(PerfEventOpen.gettid(), c.tid());
            c.reset();
            c.enable();
            // Disarmed: running 30 ms must not signal.
            PerfEventOpenTest.burn(30_000_000);
            assertThrows(LastErrorException.class, () -> Sig.sigtimedwait(set, info, zero), "no signal while disarmed");
            long before = c.read();
            assertTrue(before > 0);
            long period = c.armOverflowAt(before + 5_000_000, 1_000_000); // overflow 4 ms of task time from now
            assertTrue(period > 0 && period <= 4_000_000, "period " + period);
            PerfEventOpenTest.burn(50_000_000);
            info.clear();
            assertEquals(GuestBranchCounter.OVERFLOW_SIGNAL, Sig.sigtimedwait(set, info, oneSecond));
            assertEquals(GuestBranchCounter.OVERFLOW_SIGNAL, info.getInt(0), "si_signo");
            assertEquals(POLL_IN, info.getInt(8), "si_code: an overflow notification");
            assertEquals(c.fd(), info.getInt(24), "si_fd names the counter");
            c.disarm();
            while (true) { // drain, as Kick.drain does
                try {
                    Sig.sigtimedwait(set, info, zero);
                } catch (LastErrorException e) {
                    break;
                }
            }
            PerfEventOpenTest.burn(20_000_000);
            assertThrows(LastErrorException.class, () -> Sig.sigtimedwait(set, info, zero), "disarmed again");
            c.disable();
        } finally {
            c.close();
        }
    }

    @Test
    void armOverflowAtRefusesTargetsInsideTheMargin() {
        GuestBranchCounter c;
        try {
            c = GuestBranchCounter.openOnCurrentThread(PerfEventOpenTest.taskClock(), 100);
        } catch (PerfEventException e) {
            assumeTrue(false, "software perf events unavailable: " + e.getMessage());
            return;
        }
        try (c) {
            // Never enabled: the count stays 0.
            assertEquals(0, c.read());
            assertEquals(50, c.armOverflowAt(150, 100));
            assertEquals(100, c.margin());
            assertEquals(20, c.armOverflowAt(120), "with the counter's own margin");
            assertEquals(1, c.armOverflowAt(101, 100));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.armOverflowAt(100, 100));
            assertTrue(e.getMessage().contains("within 100 branches of target 100"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.armOverflowAt(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> c.armOverflowAt(10, -1));
            c.disarm();
        }
        assertThrows(IllegalStateException.class, c::read, "closed");
        c.close(); // idempotent
    }

    @Test
    void openingTheRealEventFailsClearlyWithoutAPmu() {
        assumeTrue(!java.nio.file.Files.exists(java.nio.file.Path.of(PmuSupport.DEVICES, "cpu")), "this host has a PMU");
        PerfEventException e = assertThrows(PerfEventException.class,
                () -> GuestBranchCounter.openOnCurrentThread(BranchEvent.AMD_ZEN));
        assertTrue(e.getMessage().startsWith("perf_event_open(perf_event_attr{type=4, config=0xd1"), e.getMessage());
        assertTrue(e.getMessage().contains("failed: " + Errno.name(e.errno())), e.getMessage());
    }
}
