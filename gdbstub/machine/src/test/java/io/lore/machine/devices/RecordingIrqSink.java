package io.lore.machine.devices;

import java.util.ArrayList;
import java.util.List;

/** Records every call a device makes on its IRQ lines. */
final class RecordingIrqSink implements IrqSink {
    /** Each call as "irq+" (raise) or "irq-" (lower), in order. */
    final List<String> calls = new ArrayList<>();
    private final boolean[] levels = new boolean[16];
    private final int[] risingEdges = new int[16];

    @Override
    public void setIrq(int irq, boolean level) {
        calls.add(irq + (level ? "+" : "-"));
        if (level && !levels[irq]) {
            risingEdges[irq]++;
        }
        levels[irq] = level;
    }

    boolean level(int irq) {
        return levels[irq];
    }

    int risingEdges(int irq) {
        return risingEdges[irq];
    }
}
