package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.RunArea;

/** Completes a guest's MMIO exit against guest RAM itself (an access to a trapped page). */
final class GuestMemoryAccess {
    private GuestMemoryAccess() {}

    /** A write goes from the run area into memory; a read from memory into the run area. */
    static void serve(GuestMemory memory, RunArea run, long gpa, int size, boolean write) {
        if (write) {
            long v = run.mmioData();
            for (int i = 0; i < size; i++) {
                memory.writeByte(gpa + i, (int) (v >>> (8 * i)));
            }
        } else {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (memory.readByte(gpa + i) & 0xffL) << (8 * i);
            }
            run.mmioData(v);
        }
    }
}
