package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Sregs;
import io.lore.machine.PageWalker;

/**
 * Decides whether replay could find the current point again by trapping at RIP. It cannot at
 * CPL3 (guest debugging does not work there on this host) nor inside a REP string instruction
 * (an interrupted REP resumes at the same RIP with fewer iterations left, and an instruction
 * breakpoint does not stop between iterations), so the recorder waits for a better point.
 */
final class InjectionPoints {
    private InjectionPoints() {}

    static boolean traceable(GuestMemory mem, Sregs s, long rip) {
        if ((s.cs.selector & 3) != 0 || s.cs.dpl != 0) {
            return false;
        }
        byte[] code = PageWalker.readVirtual(mem, s, rip, 15);
        if (code == null) {
            code = PageWalker.readVirtual(mem, s, rip, 1);
            return code != null; // near the end of a mapping: no room for a REP-prefixed string op
        }
        return !isRepString(code, s.cs.l);
    }

    /** True if {@code code} starts with a REP/REPNE-prefixed string instruction. */
    static boolean isRepString(byte[] code, boolean longMode) {
        boolean rep = false;
        for (byte b : code) {
            int x = b & 0xff;
            if (x == 0xf2 || x == 0xf3) {
                rep = true;
            } else if (x == 0x66 || x == 0x67 || x == 0xf0 || x == 0x2e || x == 0x36 || x == 0x3e || x == 0x26
                    || x == 0x64 || x == 0x65 || (longMode && x >= 0x40 && x <= 0x4f)) {
                continue;
            } else {
                return rep && ((x >= 0x6c && x <= 0x6f) || (x >= 0xa4 && x <= 0xa7) || (x >= 0xaa && x <= 0xaf));
            }
        }
        return false;
    }
}
