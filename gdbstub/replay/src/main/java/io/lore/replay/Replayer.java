package io.lore.replay;

import io.lore.log.Event;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.machine.Machine;
import java.io.OutputStream;

/**
 * Replays a recording without device models: every synchronous exit is checked against the
 * next logged event and fed the logged data; each interrupt is injected where it was
 * recorded — right at its exit, or at the first point after that exit whose full state
 * matches (found with a hardware breakpoint at the recorded RIP); digests are compared.
 * The first mismatch ends the replay with a {@link Divergence}.
 */
public final class Replayer implements AutoCloseable {
    /** How a replay ended. */
    public record Result(Outcome outcome, Divergence divergence, long exits, long events, long digestsChecked,
            long serialBytes, long nanos, long breakpointHits) {
        public boolean verified() {
            return outcome == Outcome.VERIFIED;
        }
    }

    public enum Outcome {
        /** Reached the recorded end, every check and digest matched. */
        VERIFIED,
        /** The recording was cut short or damaged: its whole readable prefix replayed exactly. */
        PREFIX_VERIFIED,
        DIVERGED,
        STOPPED
    }

    private final RecordingReader recording;
    private final ReplayCursor cursor;
    /** The recording's RDTSC values fed to lore.ko; null when it has none. */
    private final TscReplay tsc;
    private volatile boolean stalled;
    private long stallNanos = DEFAULT_STALL_NANOS;

    /** With no event consumed for this long, the guest has gone somewhere the recording never went. */
    public static final long DEFAULT_STALL_NANOS = 60_000_000_000L;

    public Replayer(RecordingReader recording, OutputStream serialOut) {
        this.recording = recording;
        this.cursor = new ReplayCursor(recording, serialOut);
        try {
            this.tsc = TscReplay.attachIfNeeded(cursor.machine(), recording, cursor::requestStop);
        } catch (RuntimeException e) {
            cursor.close();
            throw e;
        }
    }

    public Machine machine() {
        return cursor.machine();
    }

    /** From any thread: stop at the next exit. */
    public void stop() {
        cursor.requestStop();
    }

    /** How long replay may go without consuming an event before it reports a divergence. */
    public void setStallTimeout(long nanos) {
        this.stallNanos = nanos;
    }

    public Result run() {
        cursor.machine().vcpu().bindToCurrentThread();
        long start = System.nanoTime();
        Thread watchdog = startStallWatchdog();
        BranchCounting counting = RecordingHeader.POSITIONING_BRANCH_COUNTER.equals(recording.header().positioning())
                ? BranchCounting.openOnCurrentThread() : null;
        if (counting != null) {
            counting.counter().ifPresent(cursor::useBranchCounter);
        }
        try {
            ReplayCursor.Stop stop = cursor.run(ReplayCursor.TO_END);
            if (tsc != null && tsc.overrun()) {
                Event next = cursor.nextEvent();
                return result(Outcome.DIVERGED, cursor.divergence(next == null ? "end of recording" : EventFormat.describe(next),
                        "the guest read the TSC more often than the " + tsc.recorded() + " times recorded"), start);
            }
            if (stop == ReplayCursor.Stop.STOPPED) {
                if (stalled) {
                    Event next = cursor.nextEvent();
                    return result(Outcome.DIVERGED, cursor.divergence(next == null ? "end of recording" : EventFormat.describe(next),
                            String.format("no progress for %.0f s: the guest runs without reaching the next "
                                    + "recorded event (%d breakpoint hits)", stallNanos / 1e9, cursor.breakpointHits())), start);
                }
                return result(Outcome.STOPPED, null, start);
            }
            boolean complete = cursor.nextEvent() instanceof Event.End || recording.state() == RecordingReader.State.COMPLETE;
            String tscMismatch = tsc == null ? null : tsc.verify();
            if (complete && tscMismatch != null) {
                return result(Outcome.DIVERGED, cursor.divergence("the recorded RDTSC values", tscMismatch), start);
            }
            return result(complete ? Outcome.VERIFIED : Outcome.PREFIX_VERIFIED, null, start);
        } catch (ReplayCursor.DivergenceException d) {
            return result(Outcome.DIVERGED, d.divergence(), start);
        } finally {
            if (counting != null) {
                counting.close();
            }
            watchdog.interrupt();
            cursor.flushSerial();
        }
    }

    /** Kicks the vCPU out of a guest that makes no progress through the log (a divergence that never exits). */
    private Thread startStallWatchdog() {
        Thread t = new Thread(() -> {
            long seen = -1;
            long since = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(200);
                    long now = cursor.progress();
                    if (now != seen) {
                        seen = now;
                        since = System.nanoTime();
                    } else if (System.nanoTime() - since > stallNanos) {
                        stalled = true;
                        cursor.requestStop();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // replay over
            }
        }, "lore-replay-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Result result(Outcome o, Divergence d, long start) {
        // the cursor stops before the End event (it stays there, at the end of history): count it as replayed
        long events = cursor.eventIndex() + (o == Outcome.VERIFIED && cursor.nextEvent() instanceof Event.End ? 1 : 0);
        return new Result(o, d, cursor.exit(), events, cursor.digestsChecked(), cursor.serialBytes(),
                System.nanoTime() - start, cursor.breakpointHits());
    }

    @Override
    public void close() {
        if (tsc != null) {
            tsc.close();
        }
        cursor.close();
    }
}
