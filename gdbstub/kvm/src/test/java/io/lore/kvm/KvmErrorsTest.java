package io.lore.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a user sees when KVM is not there or not what LoRe expects. */
class KvmErrorsTest {
    @Test
    void aMissingDeviceSaysThereIsNoKvm() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/dev/no-such-kvm"));
        assertEquals("/dev/no-such-kvm does not exist: this host has no KVM (enable virtualization, or load the kvm module)",
                e.getMessage());
        assertEquals(2, e.errno());
    }

    @Test
    void aDeviceThatIsNotKvmFailsOnTheFirstIoctlWithItsName() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/dev/null"));
        assertTrue(e.getMessage().startsWith("KVM_GET_API_VERSION failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("errno 25"), e.getMessage()); // ENOTTY
    }

    @Test
    void theRealDeviceHasWhatLoreNeeds() {
        try (Kvm kvm = Kvm.open()) {
            assertTrue(kvm.checkExtension(Kvm.CAP_IMMEDIATE_EXIT) > 0);
            assertTrue(kvm.checkExtension(Kvm.CAP_SET_GUEST_DEBUG) > 0);
            assertEquals(0, kvm.checkExtension(-1), "an unknown capability reads as absent, not as an error");
        }
    }
}
