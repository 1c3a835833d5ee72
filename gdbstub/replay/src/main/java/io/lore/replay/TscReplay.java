package io.lore.replay;

import io.lore.kmod.KernelCapture;
import io.lore.kmod.KernelRecord;
import io.lore.kmod.KernelStats;
import io.lore.kmod.LoreAbi;
import io.lore.log.Event;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.machine.Machine;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Replays the TSC values of a kernel-assisted recording: lore.ko intercepts the guest's
 * RDTSCs and answers each with the next value of its feed ring, checking the RIP; a feeder
 * thread keeps the ring topped up from the recording. When the ring runs dry the module
 * sends the vCPU back to user space and the RDTSC waits, so feeding ahead is an
 * optimisation, not a condition. A guest that reads the TSC more often than recorded, or
 * elsewhere, is a divergence.
 */
final class TscReplay implements AutoCloseable {
    private final KernelCapture capture;
    private final long[] values;
    private final long[] rips;
    private final Thread feeder;
    private final Runnable onOverrun;
    private volatile boolean overrun;
    private volatile boolean closed;

    private TscReplay(KernelCapture capture, List<Event.Tsc> tsc, Runnable onOverrun) {
        this.capture = capture;
        this.values = new long[tsc.size()];
        this.rips = new long[tsc.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tsc.get(i).value();
            rips[i] = tsc.get(i).rip();
        }
        this.onOverrun = onOverrun;
        this.feeder = new Thread(this::feed, "lore-tsc-feeder");
        this.feeder.setDaemon(true);
    }

    /**
     * For a recording with TSC values: attaches lore.ko to the replay's VM and starts feeding.
     * Returns null for recordings without any (nothing to intercept). Throws
     * {@link ReplayUnavailableException} when the recording needs lore.ko and it is not usable.
     */
    static TscReplay attachIfNeeded(Machine machine, RecordingReader recording, Runnable onOverrun) {
        if (!RecordingHeader.CAPTURE_KERNEL.equals(recording.header().capture())) {
            return null;
        }
        List<Event.Tsc> tsc = new ArrayList<>();
        for (Iterator<Event> it = recording.events(); it.hasNext();) {
            if (it.next() instanceof Event.Tsc t) {
                tsc.add(t);
            }
        }
        if (tsc.isEmpty()) {
            return null;
        }
        KernelCapture.Attempt a = KernelCapture.attach(machine.vm().fd(), LoreAbi.MODE_REPLAY);
        if (a.capture() == null || !a.capture().interceptsTsc()) {
            if (a.capture() != null) {
                a.capture().close();
            }
            throw new ReplayUnavailableException("this recording holds " + tsc.size()
                    + " RDTSC values and replays only with lore.ko intercepting RDTSC: " + a.note());
        }
        TscReplay r = new TscReplay(a.capture(), tsc, onOverrun);
        r.feeder.start();
        return r;
    }

    private void feed() {
        var ring = capture.feed();
        int next = 0;
        long deferredWhenAllTaken = -1;
        try {
            while (!closed) {
                while (next < values.length && ring.offer(KernelRecord.tscFeed(values[next], rips[next]))) {
                    next++;
                }
                if (next == values.length) {
                    KernelStats s = capture.stats();
                    if (s.feedConsumed() == values.length) {
                        // every value is taken: one more RDTSC is sent back to user space, again and again
                        if (deferredWhenAllTaken < 0) {
                            deferredWhenAllTaken = s.tscDeferred();
                        } else if (s.tscDeferred() > deferredWhenAllTaken) {
                            overrun = true;
                            onOverrun.run();
                            return;
                        }
                    }
                }
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            // replay over
        }
    }

    /** The guest read the TSC more often than the recording did. */
    boolean overrun() {
        return overrun;
    }

    long recorded() {
        return values.length;
    }

    /** At the end of a replay that reached the recorded end: null, or what did not match. */
    String verify() {
        KernelStats s = capture.stats();
        if (s.tscMismatch() > 0) {
            return s.tscMismatch() + " RDTSC(s) executed at a different RIP than recorded";
        }
        if (s.feedConsumed() != values.length) {
            return "the guest read the TSC " + s.feedConsumed() + " times, the recording has " + values.length;
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        feeder.interrupt();
        try {
            feeder.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        capture.close();
    }
}
