package io.lore.machine.devices;

/** The CPU side of the interrupt controller: what the run loop asks before injecting. */
public interface InterruptController extends IrqSink {
    /** True if an unmasked request is waiting to be delivered to the CPU (INTR asserted). */
    boolean hasPendingInterrupt();

    /**
     * The CPU's interrupt acknowledge cycle: returns the vector to inject and moves the request
     * to in-service. Returns a spurious vector (IRQ7/IRQ15 of the chip) if the request vanished.
     */
    int acknowledge();
}
