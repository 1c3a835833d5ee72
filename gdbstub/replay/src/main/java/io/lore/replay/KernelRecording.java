package io.lore.replay;

import io.lore.kmod.KernelCapture;
import io.lore.kmod.KernelRecord;
import io.lore.log.EventKind;

/**
 * The recorder's side of kernel-assisted capture: lore.ko answers the guest's RDTSCs in the
 * kernel and logs each value in its ring; after every exit the recorder moves them into its
 * own event ring as TSC events of the current ordinal (they happened since the last exit).
 */
final class KernelRecording {
    private final KernelCapture capture;
    private final EventRing ring;
    private long ordinal;
    private long tscEvents;

    KernelRecording(KernelCapture capture, EventRing ring) {
        this.capture = capture;
        this.ring = ring;
    }

    /** Moves what the module logged since the last call into the event ring, at {@code ordinal}. */
    void drain(long ordinal) {
        this.ordinal = ordinal;
        capture.events().drain(this::take);
    }

    private void take(KernelRecord r) {
        if (r.isTsc()) {
            ring.put(RingRecords.word0(EventKind.TSC, 0, 0, 0), ordinal, r.value(), r.addr());
            tscEvents++;
        }
    }

    long tscEvents() {
        return tscEvents;
    }

    /** Why the recording is incomplete, or null: the module must not have lost anything. */
    String loss() {
        long dropped = capture.stats().dropped();
        return dropped == 0 ? null : "lore.ko's event ring overflowed: " + dropped + " kernel events were lost";
    }
}
