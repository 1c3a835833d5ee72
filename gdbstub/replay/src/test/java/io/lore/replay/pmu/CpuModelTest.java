package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuModelTest {
    static final String AMD_EPYC_VM = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC
            flags\t\t: fpu vme de pse hypervisor svm_lock
            
            processor\t: 1
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 85
            """;

    static final String SKYLAKE = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 85
            model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz
            flags\t\t: fpu vmx pdcm arch_perfmon
            """;

    @Test
    void parsesTheFirstProcessor() {
        CpuModel c = CpuModel.parse(AMD_EPYC_VM);
        assertEquals(CpuModel.AMD, c.vendor());
        assertEquals(0x19, c.family());
        assertEquals(0x11, c.model(), "'model name' is not 'model'");
        assertTrue(c.underHypervisor());
        assertEquals("AuthenticAMD family 0x19 model 0x11", c.toString());

        CpuModel i = CpuModel.parse(SKYLAKE);
        assertEquals(CpuModel.INTEL, i.vendor());
        assertEquals(6, i.family());
        assertEquals(0x55, i.model());
        assertFalse(i.underHypervisor());
        assertTrue(i.flags().contains("arch_perfmon"));
    }

    @Test
    void rejectsIncompleteText() {
        assertThrows(IllegalArgumentException.class, () -> CpuModel.parse("processor : 0\nvendor_id : GenuineIntel\n"));
        assertThrows(IllegalArgumentException.class, () -> CpuModel.parse(""));
    }

    @Test
    void readsThisHost() throws Exception {
        CpuModel c = CpuModel.fromProcCpuinfo();
        assertFalse(c.vendor().isBlank());
        assertTrue(c.family() > 0);
    }
}
