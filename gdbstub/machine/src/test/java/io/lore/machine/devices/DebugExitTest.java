package io.lore.machine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DebugExitTest {

    @Test
    void noRequestUntilWritten() {
        assertFalse(new DebugExit().requestedExitStatus().isPresent());
    }

    @Test
    void statusIsValueShiftedLeftWithLowBitSet() {
        DebugExit d = new DebugExit();
        d.write(DebugExit.DEFAULT_PORT, 4, 0x31);
        assertEquals(OptionalInt.of(0x63), d.requestedExitStatus());
    }

    @Test
    void zeroGivesOne() {
        DebugExit d = new DebugExit();
        d.write(DebugExit.DEFAULT_PORT, 1, 0);
        assertEquals(OptionalInt.of(1), d.requestedExitStatus());
    }

    @Test
    void valueIsTruncatedToTheAccessSize() {
        DebugExit d = new DebugExit();
        d.write(DebugExit.DEFAULT_PORT, 1, 0x1234_5681);
        assertEquals(OptionalInt.of(0x103), d.requestedExitStatus());
    }

    @Test
    void firstRequestWinsAndTheListenerHearsItOnce() {
        List<Integer> heard = new ArrayList<>();
        DebugExit d = new DebugExit(heard::add);
        d.write(DebugExit.DEFAULT_PORT, 2, 0x10);
        d.write(DebugExit.DEFAULT_PORT, 2, 0x20);
        assertEquals(List.of(0x21), heard);
        assertEquals(OptionalInt.of(0x21), d.requestedExitStatus());
    }

    @Test
    void readsFloatHigh() {
        DebugExit d = new DebugExit();
        assertEquals(0xff, d.read(0xf4, 1));
        assertEquals(0xffff, d.read(0xf4, 2));
        assertEquals(0xffff_ffff, d.read(0xf4, 4));
    }
}
