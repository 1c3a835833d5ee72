package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BranchEventTest {
    static CpuModel cpu(String vendor, int family, int model) {
        return new CpuModel(vendor, family, model, Set.of());
    }

    static BranchEvent.Selection intel(int model) {
        return BranchEvent.select(cpu(CpuModel.INTEL, 6, model));
    }

    @Test
    void intelBeforeIceLakeUsesUmask01() {
        for (int m : new int[] {0x1a, 0x2a, 0x3c, 0x4f, 0x55, 0x5e, 0x8e, 0x9e, 0xa5}) {
            assertSame(BranchEvent.INTEL_CONDITIONAL, intel(m).event(), Integer.toHexString(m));
        }
        assertEquals(0x01c4, BranchEvent.INTEL_CONDITIONAL.config(), "event 0xC4, umask 0x01");
    }

    @Test
    void intelIceLakeAndLaterUseUmask11() {
        for (int m : new int[] {0x7e, 0x6a, 0x8c, 0x8d, 0xa7}) {
            assertSame(BranchEvent.INTEL_COND, intel(m).event(), Integer.toHexString(m));
        }
        for (int m : new int[] {0x8f, 0xcf, 0x97, 0x9a, 0xb7, 0xba, 0xbf, 0xaa}) {
            assertSame(BranchEvent.INTEL_COND_GOLDEN_COVE, intel(m).event(), Integer.toHexString(m));
        }
        assertEquals(0x11c4, BranchEvent.INTEL_COND.config());
        assertEquals(0x11c4, BranchEvent.INTEL_COND_GOLDEN_COVE.config());
        assertEquals(125, BranchEvent.INTEL_COND_GOLDEN_COVE.maxSkid());
    }

    @Test
    void intelAtomUsesUmask7e() {
        for (int m : new int[] {0x37, 0x4c, 0x5c, 0x5f, 0x7a, 0x9c}) {
            assertSame(BranchEvent.INTEL_ATOM_JCC, intel(m).event(), Integer.toHexString(m));
        }
        assertEquals(0x7ec4, BranchEvent.INTEL_ATOM_JCC.config());
    }

    @Test
    void amdZenFamiliesUsePmc0d1() {
        for (int f : new int[] {0x17, 0x19, 0x1a}) {
            BranchEvent.Selection s = BranchEvent.select(cpu(CpuModel.AMD, f, 1));
            assertSame(BranchEvent.AMD_ZEN, s.event());
            assertNull(s.reason());
        }
        assertEquals(0xd1, BranchEvent.AMD_ZEN.config());
        assertTrue(BranchEvent.AMD_ZEN.skidUnbounded());
        assertEquals("raw 0xd1 (Ex_Ret_Cond, AMD Zen)", BranchEvent.AMD_ZEN.describe());
    }

    @Test
    void unsupportedCpusSayWhy() {
        BranchEvent.Selection s = BranchEvent.select(cpu(CpuModel.AMD, 0x15, 2));
        assertFalse(s.supported());
        assertTrue(s.reason().contains("AuthenticAMD family 0x15") && s.reason().contains("pre-Zen"), s.reason());
        assertTrue(BranchEvent.select(cpu(CpuModel.AMD, 0x1b, 0)).reason().contains("newer than the event table"));
        s = intel(0x86); // Snow Ridge (Tremont): deliberately not guessed
        assertFalse(s.supported());
        assertTrue(s.reason().contains("model 0x86") && s.reason().contains("not in the event table"), s.reason());
        assertTrue(intel(0x17).reason().contains("not in the event table"), "Penryn");
        assertTrue(BranchEvent.select(cpu(CpuModel.INTEL, 0xf, 4)).reason().contains("family 6"));
        assertTrue(BranchEvent.select(cpu("HygonGenuine", 0x18, 0)).reason().contains("unknown CPU vendor"));
    }

    @Test
    void everyMarginExceedsItsSkid() {
        for (BranchEvent e : List.of(BranchEvent.INTEL_CONDITIONAL, BranchEvent.INTEL_COND,
                BranchEvent.INTEL_COND_GOLDEN_COVE, BranchEvent.INTEL_ATOM_JCC, BranchEvent.AMD_ZEN)) {
            assertTrue(e.margin() > e.maxSkid(), e.name());
            assertEquals(e.maxSkid() + BranchEvent.MIN_PERIOD_SLACK, e.margin());
            assertEquals(PerfEventAttr.PERF_TYPE_RAW, e.type());
            assertTrue((e.config() & ~0xffffL) == 0, "event select and umask only; the kernel sets USR/OS/INT/EN");
        }
        assertThrows(IllegalArgumentException.class, () -> new BranchEvent("x", "y", 1, -1, false));
    }
}
