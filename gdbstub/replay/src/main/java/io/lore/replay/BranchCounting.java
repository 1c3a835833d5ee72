package io.lore.replay;

import io.lore.log.RecordingHeader;
import io.lore.replay.pmu.GuestBranchCounter;
import io.lore.replay.pmu.PerfEventException;
import io.lore.replay.pmu.PmuSupport;
import java.util.Optional;

/**
 * Chooses how asynchronous events are positioned on this host: with a guest branch counter
 * when a PMU is usable, by state signature alone otherwise. Opened on the vCPU thread, since
 * the counter follows the thread that runs the guest.
 */
final class BranchCounting implements AutoCloseable {
    private final GuestBranchCounter counter;
    private final String note;

    private BranchCounting(GuestBranchCounter counter, String note) {
        this.counter = counter;
        this.note = note;
    }

    static BranchCounting openOnCurrentThread() {
        PmuSupport.Detection d = PmuSupport.detect();
        if (!d.available()) {
            return new BranchCounting(null, d.reason());
        }
        try {
            GuestBranchCounter c = GuestBranchCounter.openOnCurrentThread(d.event());
            c.reset();
            c.enable();
            return new BranchCounting(c, "guest branch counter " + d.event());
        } catch (PerfEventException | IllegalStateException e) {
            return new BranchCounting(null, "PMU detected but the counter could not be opened: " + e.getMessage());
        }
    }

    Optional<GuestBranchCounter> counter() {
        return Optional.ofNullable(counter);
    }

    String positioning() {
        return counter != null ? RecordingHeader.POSITIONING_BRANCH_COUNTER : RecordingHeader.POSITIONING_STATE_SIGNATURE;
    }

    /** Why this positioning (for the user): the event used, or why there is no PMU. */
    String note() {
        return note;
    }

    @Override
    public void close() {
        if (counter != null) {
            counter.close();
        }
    }
}
