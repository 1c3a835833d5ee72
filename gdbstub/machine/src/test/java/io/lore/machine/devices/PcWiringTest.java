package io.lore.machine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** All devices on one bus at their PC addresses, driven the way a guest drives them. */
class PcWiringTest {

    @Test
    void standardPcPortMapHasNoOverlapsAndRoutesAccesses() {
        ManualClock clock = new ManualClock(1_000_000_000_000L);
        Pic8259Pair pic = new Pic8259Pair();
        Pit8254 pit = new Pit8254(clock, pic);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Uart16550 com1 = new Uart16550(pic, console);
        CmosRtc rtc = new CmosRtc(clock, 64L << 20);
        DebugExit exit = new DebugExit();

        PortBus bus = new PortBus();
        bus.register(Pic8259Pair.MASTER_COMMAND, 2, pic);
        bus.register(Pic8259Pair.SLAVE_COMMAND, 2, pic);
        bus.register(Pit8254.FIRST_PORT, 4, pit);
        bus.register(Pit8254.PORT_61, 1, pit);
        bus.register(CmosRtc.INDEX_PORT, 2, rtc);
        bus.register(Uart16550.COM1_BASE, Uart16550.PORT_COUNT, com1);
        bus.register(DebugExit.DEFAULT_PORT, DebugExit.PORT_COUNT, exit);

        // PIC init as Linux does it, everything unmasked.
        int[][] init = {{0x20, 0x11}, {0x21, 0x30}, {0x21, 0x04}, {0x21, 0x01},
            {0xa0, 0x11}, {0xa1, 0x38}, {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0}, {0xa1, 0}};
        for (int[] w : init) {
            bus.write(w[0], 1, w[1]);
        }
        // Serial: enable RX interrupts; a host byte arrives; vector 0x30 + 4.
        bus.write(0x3f9, 1, 0x01);
        com1.receive('!');
        assertEquals(0x34, pic.acknowledge());
        assertEquals('!', bus.read(0x3f8, 1));
        bus.write(0x20, 1, 0x20);
        for (char c : "ok\n".toCharArray()) {
            bus.write(0x3f8, 1, c);
        }
        assertEquals("ok\n", console.toString(StandardCharsets.US_ASCII));
        // Timer through the bus.
        bus.write(0x43, 1, 0x34);
        bus.write(0x40, 1, 0x00);
        bus.write(0x40, 1, 0x10);
        pit.advanceTo(pit.nextDeadline());
        assertEquals(0x30, pic.acknowledge());
        // CMOS through the bus.
        bus.write(0x70, 1, 0x34);
        assertEquals(48 * 16, bus.read(0x71, 1) | readCmos(bus, 0x35) << 8);
        // Unmodelled hardware floats.
        assertEquals(0xff, bus.read(0x2f8, 1));
        assertEquals(0, bus.unassignedWrites());
        bus.write(0xf4, 4, 2);
        assertEquals(5, exit.requestedExitStatus().getAsInt());
        assertEquals(1, bus.unassignedReads());
    }

    private static int readCmos(PortBus bus, int index) {
        bus.write(0x70, 1, index);
        return bus.read(0x71, 1);
    }
}
