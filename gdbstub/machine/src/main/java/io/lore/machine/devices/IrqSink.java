package io.lore.machine.devices;

/** Where a device drives its interrupt request line (the PIC pair, ISA IRQ 0-15). */
public interface IrqSink {
    /** Edge-triggered ISA semantics: a low-to-high transition latches the request. */
    void setIrq(int irq, boolean level);

    default void pulse(int irq) {
        setIrq(irq, true);
        setIrq(irq, false);
    }
}
