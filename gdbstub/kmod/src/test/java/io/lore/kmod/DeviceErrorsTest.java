package io.lore.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the bindings say when lore.ko is absent, wrong or too old; the module itself is
 * exercised in the lab (LabTest), since this host's kernel cannot load modules.
 */
class DeviceErrorsTest {
    @Test
    void noDeviceMeansUserSpaceCaptureWithAReason() {
        Assumptions.assumeFalse(LoreDevice.present(), "lore.ko is loaded here: the lab's tests cover that side");
        KernelCapture.Attempt a = KernelCapture.attach(-1, LoreAbi.MODE_RECORD);
        assertNull(a.capture());
        assertEquals("/dev/lore is not present (lore.ko is not loaded)", a.note());
        KmodException e = assertThrows(KmodException.class, LoreDevice::open);
        assertEquals("cannot open /dev/lore: lore.ko is not loaded (see kmod/README.md)", e.getMessage());
    }

    @Test
    void aDeviceThatIsNotLoreKoIsRecognised() {
        try (LoreDevice d = LoreDevice.open("/dev/null")) {
            KmodException e = assertThrows(KmodException.class, d::version);
            assertEquals("/dev/lore does not answer LORE_IOC_VERSION: it is not lore.ko's device", e.getMessage());
            assertThrows(KmodException.class, d::events, "not attached");
        }
    }

    @Test
    void anotherAbiIsRefusedWithWhatToDo() {
        KmodException e = assertThrows(KmodException.class, () -> new AbiVersion(2, 3, 32).check());
        assertEquals("lore.ko speaks ABI 2 but this LoRe needs ABI 1: load the lore.ko built from the same source (kmod/)",
                e.getMessage());
        assertThrows(KmodException.class, () -> new AbiVersion(1, 3, 48).check());
        new AbiVersion(1, 3, 32).check();
        assertEquals("trace tsc", new AbiVersion(1, 3, 32).capabilities());
        assertEquals("none", new AbiVersion(1, 0, 32).capabilities());
        assertTrue(new AbiVersion(1, 4, 32).can(LoreAbi.CAP_BRANCH));
    }
}
