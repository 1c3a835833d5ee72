package io.lore.machine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortBusTest {

    /** Remembers accesses; reads return a value with garbage above the access size. */
    static final class Probe implements PortDevice {
        final List<String> log = new ArrayList<>();

        @Override
        public int read(int port, int size) {
            log.add(String.format("r %x/%d", port, size));
            return 0xdead_be00 | port & 0xff;
        }

        @Override
        public void write(int port, int size, int value) {
            log.add(String.format("w %x/%d=%x", port, size, value));
        }
    }

    @Test
    void unassignedReadsAreAllOnesOfTheAccessSize() {
        PortBus bus = new PortBus();
        assertEquals(0xff, bus.read(0x1234, 1));
        assertEquals(0xffff, bus.read(0x1234, 2));
        assertEquals(0xffff_ffff, bus.read(0x1234, 4));
        assertEquals(3, bus.unassignedReads());
        assertEquals(0x1234, bus.lastUnassignedPort());
    }

    @Test
    void unassignedWritesAreCountedButPostWritesAreSilent() {
        PortBus bus = new PortBus();
        assertEquals(-1, bus.lastUnassignedPort());
        bus.write(PortBus.POST_PORT, 1, 0x42);
        assertEquals(0, bus.unassignedWrites());
        assertEquals(-1, bus.lastUnassignedPort());
        bus.write(0x2f8, 1, 0x42);
        assertEquals(1, bus.unassignedWrites());
        assertEquals(0x2f8, bus.lastUnassignedPort());
        assertEquals(0, bus.unassignedReads());
    }

    @Test
    void dispatchesWithAbsolutePortsAndMasksToTheAccessSize() {
        PortBus bus = new PortBus();
        Probe p = new Probe();
        bus.register(0x3f8, 8, p);
        assertEquals(0xfa, bus.read(0x3fa, 1));
        assertEquals(0xbefd, bus.read(0x3fd, 2));
        assertEquals(0xdead_beff, bus.read(0x3ff, 4));
        bus.write(0x3f8, 1, 0x1_41);
        bus.write(0x3f9, 2, 0xabcd_1234);
        assertEquals(List.of("r 3fa/1", "r 3fd/2", "r 3ff/4", "w 3f8/1=41", "w 3f9/2=1234"), p.log);
        // The ports on either side are not the probe's.
        assertEquals(0xff, bus.read(0x3f7, 1));
        assertEquals(0xff, bus.read(0x400, 1));
        assertEquals(5, p.log.size());
        assertSame(p, bus.deviceAt(0x3ff));
        assertNull(bus.deviceAt(0x400));
    }

    @Test
    void portEightyCanStillBeClaimedByADevice() {
        PortBus bus = new PortBus();
        Probe p = new Probe();
        bus.register(PortBus.POST_PORT, 1, p);
        bus.write(PortBus.POST_PORT, 1, 7);
        assertEquals(List.of("w 80/1=7"), p.log);
    }

    @Test
    void overlappingRegistrationIsRejectedAndLeavesTheBusUnchanged() {
        PortBus bus = new PortBus();
        Probe a = new Probe();
        Probe b = new Probe();
        bus.register(0x40, 4, a);
        assertThrows(IllegalStateException.class, () -> bus.register(0x3e, 3, b));
        assertNull(bus.deviceAt(0x3e));
        assertNull(bus.deviceAt(0x3f));
        assertSame(a, bus.deviceAt(0x40));
    }

    @Test
    void rangesOutsideThePortSpaceAreRejected() {
        PortBus bus = new PortBus();
        Probe p = new Probe();
        assertThrows(IllegalArgumentException.class, () -> bus.register(-1, 2, p));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xffff, 2, p));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x10, 0, p));
        bus.register(0xffff, 1, p);
        assertEquals(0xff, bus.read(0xffff, 1));
    }

    @Test
    void allOnes() {
        assertEquals(0xff, PortBus.allOnes(1));
        assertEquals(0xffff, PortBus.allOnes(2));
        assertEquals(-1, PortBus.allOnes(4));
    }
}
