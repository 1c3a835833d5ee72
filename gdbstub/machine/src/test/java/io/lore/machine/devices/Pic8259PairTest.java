package io.lore.machine.devices;

import static io.lore.machine.devices.Pic8259Pair.MASTER;
import static io.lore.machine.devices.Pic8259Pair.MASTER_COMMAND;
import static io.lore.machine.devices.Pic8259Pair.MASTER_DATA;
import static io.lore.machine.devices.Pic8259Pair.SLAVE;
import static io.lore.machine.devices.Pic8259Pair.SLAVE_COMMAND;
import static io.lore.machine.devices.Pic8259Pair.SLAVE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pic8259PairTest {
    private static final int MASTER_BASE = 0x20;
    private static final int SLAVE_BASE = 0x28;

    private Pic8259Pair pic;

    @BeforeEach
    void setUp() {
        pic = new Pic8259Pair();
    }

    /** Linux's init_8259A: edge, cascade, ICW4 8086 mode, optionally auto-EOI; all unmasked. */
    private void init(boolean autoEoi) {
        int icw4 = autoEoi ? 0x03 : 0x01;
        pic.write(MASTER_COMMAND, 1, 0x11);
        pic.write(MASTER_DATA, 1, MASTER_BASE);
        pic.write(MASTER_DATA, 1, 0x04);
        pic.write(MASTER_DATA, 1, icw4);
        pic.write(SLAVE_COMMAND, 1, 0x11);
        pic.write(SLAVE_DATA, 1, SLAVE_BASE);
        pic.write(SLAVE_DATA, 1, 0x02);
        pic.write(SLAVE_DATA, 1, icw4);
        pic.write(MASTER_DATA, 1, 0x00);
        pic.write(SLAVE_DATA, 1, 0x00);
    }

    private void raise(int irq) {
        pic.pulse(irq);
    }

    private void eoi(int commandPort) {
        pic.write(commandPort, 1, 0x20);
    }

    @Test
    void beforeInitialisationEverythingIsMasked() {
        assertEquals(0xff, pic.imr(MASTER));
        assertEquals(0xff, pic.imr(SLAVE));
        raise(0);
        raise(8);
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(0x08, pic.vectorBase(MASTER));
        assertEquals(0x70, pic.vectorBase(SLAVE));
    }

    @Test
    void initSequenceProgramsBaseAndAutoEoi() {
        pic.write(MASTER_COMMAND, 1, 0x11);
        assertTrue(pic.initialising(MASTER));
        assertEquals(0, pic.imr(MASTER), "ICW1 clears the mask");
        pic.write(MASTER_DATA, 1, 0x47); // low 3 bits of ICW2 are ignored in 8086 mode
        pic.write(MASTER_DATA, 1, 0x04);
        assertTrue(pic.initialising(MASTER));
        pic.write(MASTER_DATA, 1, 0x03);
        assertFalse(pic.initialising(MASTER));
        assertEquals(0x40, pic.vectorBase(MASTER));
        assertTrue(pic.autoEoi(MASTER));
        // Now the data port is OCW1 again.
        pic.write(MASTER_DATA, 1, 0xfb);
        assertEquals(0xfb, pic.imr(MASTER));
        assertEquals(0xfb, pic.read(MASTER_DATA, 1));
        assertFalse(pic.initialising(SLAVE));
    }

    @Test
    void singleModeWithoutIcw4SkipsIcw3AndIcw4() {
        pic.write(MASTER_COMMAND, 1, 0x12); // SNGL, no IC4
        pic.write(MASTER_DATA, 1, 0x30);
        assertFalse(pic.initialising(MASTER));
        assertFalse(pic.autoEoi(MASTER));
        pic.write(MASTER_DATA, 1, 0x55);
        assertEquals(0x55, pic.imr(MASTER));
        assertEquals(0x30, pic.vectorBase(MASTER));
    }

    @Test
    void cascadeWithoutIcw4TakesIcw3ThenIsDone() {
        pic.write(MASTER_COMMAND, 1, 0x10);
        pic.write(MASTER_DATA, 1, 0x50);
        pic.write(MASTER_DATA, 1, 0x04);
        assertFalse(pic.initialising(MASTER));
        pic.write(MASTER_DATA, 1, 0x0f);
        assertEquals(0x0f, pic.imr(MASTER));
    }

    @Test
    void acknowledgeReturnsVectorAndMovesRequestToService() {
        init(false);
        raise(3);
        assertEquals(0x08, pic.irr(MASTER));
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE + 3, pic.acknowledge());
        assertEquals(0, pic.irr(MASTER));
        assertEquals(0x08, pic.isr(MASTER));
        assertFalse(pic.hasPendingInterrupt());
        eoi(MASTER_COMMAND);
        assertEquals(0, pic.isr(MASTER));
    }

    @Test
    void requestsLatchOnRisingEdgesOnly() {
        init(false);
        pic.setIrq(4, true);
        assertEquals(MASTER_BASE + 4, pic.acknowledge());
        eoi(MASTER_COMMAND);
        pic.setIrq(4, true); // still high: no new edge
        assertFalse(pic.hasPendingInterrupt());
        pic.setIrq(4, false);
        assertFalse(pic.hasPendingInterrupt());
        pic.setIrq(4, true);
        assertTrue(pic.hasPendingInterrupt());
    }

    @Test
    void loweringTheLineDoesNotWithdrawALatchedRequest() {
        init(false);
        pic.setIrq(6, true);
        pic.setIrq(6, false);
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE + 6, pic.acknowledge());
    }

    @Test
    void lowerIrqNumberHasPriority() {
        init(false);
        raise(5);
        raise(1);
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
        // IRQ 5 is pending but IRQ 1 in service blocks lower priorities.
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(0x20, pic.irr(MASTER));
        // A higher-priority request nests.
        raise(0);
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE, pic.acknowledge());
        assertEquals(0x03, pic.isr(MASTER));
        // Non-specific EOI retires the highest-priority in-service IRQ first.
        eoi(MASTER_COMMAND);
        assertEquals(0x02, pic.isr(MASTER));
        assertFalse(pic.hasPendingInterrupt());
        eoi(MASTER_COMMAND);
        assertEquals(0, pic.isr(MASTER));
        assertEquals(MASTER_BASE + 5, pic.acknowledge());
    }

    @Test
    void inServiceIrqBlocksItsOwnNewRequest() {
        init(false);
        raise(3);
        pic.acknowledge();
        raise(3);
        assertEquals(0x08, pic.irr(MASTER));
        assertFalse(pic.hasPendingInterrupt());
        eoi(MASTER_COMMAND);
        assertTrue(pic.hasPendingInterrupt());
    }

    @Test
    void specificEoiClearsOnlyTheNamedLevel() {
        init(false);
        raise(4);
        pic.acknowledge();
        raise(1);
        pic.acknowledge();
        assertEquals(0x12, pic.isr(MASTER));
        pic.write(MASTER_COMMAND, 1, 0x60 | 4); // specific EOI for IRQ 4
        assertEquals(0x02, pic.isr(MASTER));
        pic.write(MASTER_COMMAND, 1, 0x60 | 1);
        assertEquals(0, pic.isr(MASTER));
    }

    @Test
    void maskedRequestsStayLatchedUntilUnmasked() {
        init(false);
        pic.write(MASTER_DATA, 1, 0x02);
        raise(1);
        assertEquals(0x02, pic.irr(MASTER));
        assertFalse(pic.hasPendingInterrupt());
        raise(4);
        assertEquals(MASTER_BASE + 4, pic.acknowledge());
        eoi(MASTER_COMMAND);
        pic.write(MASTER_DATA, 1, 0x00);
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
    }

    @Test
    void slaveRequestArrivesThroughMasterIrq2WithTheSlaveVector() {
        init(false);
        raise(10);
        assertEquals(0x04, pic.irr(SLAVE));
        assertEquals(0x04, pic.irr(MASTER), "slave INT latched on master IR2");
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 2, pic.acknowledge());
        assertEquals(0x04, pic.isr(MASTER));
        assertEquals(0x04, pic.isr(SLAVE));
        assertEquals(0, pic.irr(SLAVE));
        eoi(SLAVE_COMMAND);
        eoi(MASTER_COMMAND);
        assertEquals(0, pic.isr(MASTER));
        assertEquals(0, pic.isr(SLAVE));
        assertFalse(pic.hasPendingInterrupt());
    }

    @Test
    void cascadeRanksAsIrq2OnTheMaster() {
        init(false);
        raise(3);
        raise(14);
        raise(1);
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
        eoi(MASTER_COMMAND);
        assertEquals(SLAVE_BASE + 6, pic.acknowledge());
        eoi(SLAVE_COMMAND);
        eoi(MASTER_COMMAND);
        assertEquals(MASTER_BASE + 3, pic.acknowledge());
    }

    @Test
    void queuedSlaveRequestIsDeliveredAfterBothEois() {
        init(false);
        raise(8);
        assertEquals(SLAVE_BASE, pic.acknowledge());
        raise(9); // blocked by IRQ 8 in service on the slave
        assertFalse(pic.hasPendingInterrupt());
        eoi(SLAVE_COMMAND);
        // The slave requests again, but master IR2 is still in service.
        assertEquals(0x04, pic.irr(MASTER));
        assertFalse(pic.hasPendingInterrupt());
        eoi(MASTER_COMMAND);
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 1, pic.acknowledge());
    }

    @Test
    void autoEoiSetsNoInServiceBits() {
        init(true);
        raise(5);
        raise(6);
        assertEquals(MASTER_BASE + 5, pic.acknowledge());
        assertEquals(0, pic.isr(MASTER));
        assertTrue(pic.hasPendingInterrupt(), "nothing in service blocks IRQ 6");
        assertEquals(MASTER_BASE + 6, pic.acknowledge());
    }

    @Test
    void autoEoiSlaveDeliversBackToBackRequestsWithoutEoi() {
        init(true);
        raise(11);
        raise(12);
        assertEquals(SLAVE_BASE + 3, pic.acknowledge());
        // The slave still requests IRQ 12; the master must have seen a fresh IR2 edge.
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 4, pic.acknowledge());
        assertFalse(pic.hasPendingInterrupt());
    }

    @Test
    void spuriousMasterInterruptIsIrq7WithoutInService() {
        init(false);
        raise(5);
        pic.write(MASTER_DATA, 1, 0x20); // masked before the CPU acknowledged
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE + 7, pic.acknowledge());
        assertEquals(0, pic.isr(MASTER));
    }

    @Test
    void realIrq7IsPutInService() {
        init(false);
        raise(7);
        assertEquals(MASTER_BASE + 7, pic.acknowledge());
        assertEquals(0x80, pic.isr(MASTER));
    }

    @Test
    void spuriousSlaveInterruptIsIrq15WithMasterIrq2InService() {
        init(false);
        raise(12);
        pic.write(SLAVE_DATA, 1, 0x10); // slave request masked, master IR2 already latched
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 7, pic.acknowledge());
        assertEquals(0x04, pic.isr(MASTER));
        assertEquals(0, pic.isr(SLAVE));
    }

    @Test
    void ocw3SelectsIrrOrIsrForCommandPortReads() {
        init(false);
        raise(1);
        raise(3);
        pic.acknowledge();
        assertEquals(0x08, pic.read(MASTER_COMMAND, 1), "IRR is the default after init");
        pic.write(MASTER_COMMAND, 1, 0x0b);
        assertEquals(0x02, pic.read(MASTER_COMMAND, 1));
        assertEquals(0x02, pic.read(MASTER_COMMAND, 1), "selection is sticky");
        pic.write(MASTER_COMMAND, 1, 0x08); // RR clear: selection unchanged
        assertEquals(0x02, pic.read(MASTER_COMMAND, 1));
        pic.write(MASTER_COMMAND, 1, 0x0a);
        assertEquals(0x08, pic.read(MASTER_COMMAND, 1));
        raise(9);
        assertEquals(0x02, pic.read(SLAVE_COMMAND, 1));
    }

    @Test
    void pollCommandActsAsAcknowledgeForOneRead() {
        init(false);
        pic.write(MASTER_COMMAND, 1, 0x0c);
        assertEquals(0x00, pic.read(MASTER_COMMAND, 1), "no request");
        raise(6);
        pic.write(MASTER_COMMAND, 1, 0x0c);
        assertEquals(0x86, pic.read(MASTER_COMMAND, 1));
        assertEquals(0x40, pic.isr(MASTER));
        assertEquals(0x00, pic.read(MASTER_COMMAND, 1), "next read is IRR again");
    }

    @Test
    void icw1ClearsStateAndRequiresAFreshEdge() {
        init(false);
        pic.setIrq(3, true);
        raise(4);
        pic.acknowledge();
        pic.write(MASTER_COMMAND, 1, 0x11);
        pic.write(MASTER_DATA, 1, MASTER_BASE);
        pic.write(MASTER_DATA, 1, 0x04);
        pic.write(MASTER_DATA, 1, 0x01);
        assertEquals(0, pic.irr(MASTER));
        assertEquals(0, pic.isr(MASTER));
        pic.setIrq(3, true);
        assertFalse(pic.hasPendingInterrupt(), "line was already high");
        pic.setIrq(3, false);
        pic.setIrq(3, true);
        assertEquals(MASTER_BASE + 3, pic.acknowledge());
    }

    @Test
    void cascadeLineAndOutOfRangeIrqsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> pic.setIrq(2, true));
        assertThrows(IllegalArgumentException.class, () -> pic.setIrq(16, true));
        assertThrows(IllegalArgumentException.class, () -> pic.setIrq(-1, true));
    }

    @Test
    void foreignPortsReadAllOnes() {
        assertEquals(0xff, pic.read(0x22, 1));
        pic.write(0x22, 1, 0x11); // ignored
        assertFalse(pic.initialising(MASTER));
    }
}
