package io.lore.machine.devices;

/**
 * A device whose state changes with guest-visible time (PIT, RTC). The run loop calls
 * {@link #advanceTo} at VM exits and arranges a vCPU kick at {@link #nextDeadline}, so the
 * device itself never runs on another thread.
 */
public interface TimedDevice {
    /** Clock time (ns, {@link Clock#nanos()}) of the next interrupt, or {@link Long#MAX_VALUE}. */
    long nextDeadline();

    /** Bring the device up to {@code nowNanos}, raising any interrupts that are due. */
    void advanceTo(long nowNanos);
}
