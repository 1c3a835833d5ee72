package io.lore.machine.devices;

import static io.lore.machine.devices.Pit8254.nanosFor;
import static io.lore.machine.devices.Pit8254.ticksIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pit8254Test {
    private static final int CH0 = 0x40;
    private static final int CH2 = 0x42;
    private static final int CTRL = 0x43;
    private static final int P61 = 0x61;

    private ManualClock clock;
    private RecordingIrqSink sink;
    private Pit8254 pit;
    private long t0;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(1_700_000_000_000L);
        sink = new RecordingIrqSink();
        pit = new Pit8254(clock, sink);
        t0 = clock.nanos();
    }

    private void out(int port, int value) {
        pit.write(port, 1, value);
    }

    private int in(int port) {
        return pit.read(port, 1);
    }

    /** Control word, then a lobyte/hibyte count, at the current clock time. */
    private void program(int control, int count) {
        out(CTRL, control);
        int port = CH0 + (control >> 6);
        out(port, count & 0xff);
        out(port, count >> 8 & 0xff);
    }

    private int readLoHi(int port) {
        int lo = in(port);
        return lo | in(port) << 8;
    }

    /** Moves the clock to the instant {@code ticks} input-clock edges after t0. */
    private void atTick(long ticks) {
        clock.set(t0 + nanosFor(ticks));
    }

    private int edges() {
        return sink.risingEdges(Pit8254.IRQ);
    }

    @Test
    void tickConversionsAreExactInverses() {
        assertEquals(839, nanosFor(1));
        assertEquals(0, ticksIn(838));
        assertEquals(1, ticksIn(839));
        assertEquals(1_000_000_000L, nanosFor(Pit8254.FREQUENCY_HZ));
        assertEquals(Pit8254.FREQUENCY_HZ, ticksIn(1_000_000_000L));
        for (long t : new long[] {2, 11932, 65536, 1_000_003, 123_456_789_012L}) {
            assertEquals(t, ticksIn(nanosFor(t)), "t=" + t);
            assertEquals(t - 1, ticksIn(nanosFor(t) - 1), "t=" + t);
        }
        // Days of uptime do not overflow.
        assertEquals(1_000_000_000L * Pit8254.FREQUENCY_HZ, ticksIn(1_000_000_000_000_000_000L));
    }

    @Test
    void nothingIsScheduledBeforeProgramming() {
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
        pit.advanceTo(t0 + 10_000_000_000L);
        assertTrue(sink.calls.isEmpty());
    }

    @Test
    void mode2DeliversOneEdgePerPeriod() {
        program(0x34, 11932);
        long first = pit.nextDeadline();
        assertEquals(t0 + 10_000_151, first);
        pit.advanceTo(first - 1);
        assertEquals(0, edges());
        pit.advanceTo(first);
        assertEquals(1, edges());
        pit.advanceTo(first + 1000);
        assertEquals(1, edges(), "no second edge within the same period");
        assertEquals(t0 + 20_000_302, pit.nextDeadline());
        assertFalse(sink.level(0), "IRQ 0 is pulsed, not left high");
    }

    @Test
    void missedPeriodsCoalesceIntoOneEdgeAndKeepTheGrid() {
        program(0x34, 11932);
        pit.advanceTo(t0 + nanosFor(10 * 11932L) + 5);
        assertEquals(1, edges());
        // The next deadline is on the grid of the programming time, not "now + period".
        assertEquals(t0 + nanosFor(11 * 11932L), pit.nextDeadline());
        assertEquals(t0 + 110_001_660, pit.nextDeadline());
    }

    @Test
    void periodicDeadlinesDoNotDrift() {
        program(0x34, 11932);
        for (int k = 1; k <= 1000; k++) {
            long d = pit.nextDeadline();
            assertEquals(t0 + nanosFor(k * 11932L), d);
            clock.set(d);
            pit.advanceTo(d);
        }
        assertEquals(1000, edges());
        // 1000 rounded-up periods would be 10_000_151_000 ns; the exact grid is 142 ns earlier.
        assertEquals(t0 + 10_000_150_858L, clock.nanos());
    }

    @Test
    void mode2CountsDownToOneWithOutputLowForOneTick() {
        program(0x34, 100);
        assertEquals(100, readLoHi(CH0));
        atTick(30);
        assertEquals(70, readLoHi(CH0));
        atTick(98);
        assertTrue(pit.output(0));
        atTick(99);
        assertEquals(1, readLoHi(CH0));
        assertFalse(pit.output(0));
        atTick(100);
        assertEquals(100, readLoHi(CH0));
        assertTrue(pit.output(0));
    }

    @Test
    void mode3IsASquareWaveWithOneEdgePerPeriod() {
        program(0x36, 100);
        atTick(10);
        assertEquals(80, readLoHi(CH0));
        assertTrue(pit.output(0));
        atTick(49);
        assertTrue(pit.output(0));
        atTick(50);
        assertFalse(pit.output(0));
        atTick(60);
        assertEquals(80, readLoHi(CH0));
        assertEquals(t0 + nanosFor(100), pit.nextDeadline());
        pit.advanceTo(t0 + nanosFor(100));
        assertEquals(1, edges());
        assertEquals(t0 + nanosFor(200), pit.nextDeadline());
    }

    @Test
    void mode3OddCountHasTheLongerHalfHigh() {
        program(0x36, 5);
        int[] expected = {5, 4, 2, 5, 2, 5};
        boolean[] high = {true, true, true, false, false, true};
        for (int t = 0; t < expected.length; t++) {
            atTick(t);
            assertEquals(expected[t], pit.currentCount(0), "tick " + t);
            assertEquals(high[t], pit.output(0), "tick " + t);
        }
    }

    @Test
    void mode0InterruptsOnceAtTerminalCount() {
        program(0x30, 1000);
        assertFalse(pit.output(0));
        long tc = pit.nextDeadline();
        assertEquals(t0 + nanosFor(1000), tc);
        pit.advanceTo(tc - 1);
        assertEquals(0, edges());
        clock.set(tc);
        pit.advanceTo(tc);
        assertEquals(1, edges());
        assertTrue(pit.output(0));
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
        pit.advanceTo(tc + 1_000_000_000L);
        assertEquals(1, edges());
        // The counter keeps counting down through zero, OUT stays high.
        atTick(1010);
        assertEquals(65526, readLoHi(CH0));
        assertTrue(pit.output(0));
    }

    @Test
    void mode4StrobesLowForOneTickAndInterruptsAfterIt() {
        program(0x38, 10);
        assertTrue(pit.output(0));
        atTick(9);
        assertTrue(pit.output(0));
        atTick(10);
        assertFalse(pit.output(0));
        atTick(11);
        assertTrue(pit.output(0));
        assertEquals(t0 + nanosFor(11), pit.nextDeadline());
    }

    @Test
    void countZeroMeans65536() {
        program(0x34, 0);
        assertEquals(0, readLoHi(CH0));
        assertEquals(t0 + nanosFor(65536), pit.nextDeadline());
        assertEquals(t0 + 54_925_402, pit.nextDeadline());
        atTick(1);
        assertEquals(65535, readLoHi(CH0));
    }

    @Test
    void lobyteOnlyAccess() {
        out(CTRL, 0x14); // channel 0, lobyte, mode 2
        out(CH0, 0x50);
        assertEquals(t0 + nanosFor(0x50), pit.nextDeadline(), "one byte loads the count");
        atTick(0x10);
        assertEquals(0x40, in(CH0));
        assertEquals(0x40, in(CH0), "no flip-flop: every read is the low byte");
    }

    @Test
    void hibyteOnlyAccess() {
        out(CTRL, 0x24); // channel 0, hibyte, mode 2
        out(CH0, 0x02);
        assertEquals(t0 + nanosFor(0x200), pit.nextDeadline());
        atTick(0xff);
        assertEquals(0x01, in(CH0)); // count 0x101
        atTick(0x101);
        assertEquals(0x00, in(CH0)); // count 0x0ff
    }

    @Test
    void loHiReadsAlternateLowThenHigh() {
        program(0x34, 0x1234);
        assertEquals(0x34, in(CH0));
        assertEquals(0x12, in(CH0));
        atTick(0x10);
        assertEquals(0x24, in(CH0));
        assertEquals(0x12, in(CH0));
    }

    @Test
    void latchFreezesTheReadValueUntilBothBytesAreRead() {
        program(0x34, 0x1234);
        atTick(0x34);
        out(CTRL, 0x00); // latch channel 0
        atTick(0x134);
        out(CTRL, 0x00); // ignored: the first latch has not been read
        assertEquals(0x00, in(CH0));
        out(CTRL, 0x00); // still ignored halfway through
        assertEquals(0x12, in(CH0));
        // Released: reads are live again.
        assertEquals(0x00, in(CH0));
        assertEquals(0x11, in(CH0));
    }

    @Test
    void controlWordStatusReportsNullCountUntilTheCountIsWritten() {
        out(CTRL, 0x30); // channel 0, lo/hi, mode 0
        out(CTRL, 0xe2); // read-back status of channel 0
        assertEquals(0x70, in(CH0), "OUT low, null count, RW=3, mode 0");
        out(CH0, 0x10);
        out(CH0, 0x00);
        out(CTRL, 0xe2);
        assertEquals(0x30, in(CH0), "count loaded");
    }

    @Test
    void readBackLatchesStatusFirstThenCount() {
        program(0x34, 0x1234);
        atTick(0x34);
        out(CTRL, 0xc2); // latch count and status of channel 0
        atTick(0x500);
        assertEquals(0xb4, in(CH0), "OUT high, RW=3, mode 2");
        assertEquals(0x00, in(CH0));
        assertEquals(0x12, in(CH0));
    }

    @Test
    void readBackSelectsSeveralChannelsAndKeepsAHeldStatus() {
        program(0x34, 0x1000);
        program(0x76, 0x2000); // channel 1, mode 3
        program(0xb1, 0x3000); // channel 2, mode 0, BCD bit set
        out(CTRL, 0xee); // status only, channels 0-2
        out(CTRL, 0xc4); // status (ignored, held) and count of channel 1
        assertEquals(0xb4, in(CH0));
        assertEquals(0xb6, in(0x41));
        assertEquals(0x00, in(0x41));
        assertEquals(0x20, in(0x41));
        // Channel 2: gate low (port 0x61 reset), mode 0, BCD reported.
        assertEquals(0x31, in(CH2));
    }

    @Test
    void modesSixAndSevenAliasTwoAndThree() {
        program(0x3c, 100); // mode bits 110
        assertEquals(2, pit.mode(0));
        out(CTRL, 0xe2);
        assertEquals(0xbc, in(CH0), "status keeps the mode bits as written");
        atTick(99);
        assertFalse(pit.output(0));
        assertEquals(t0 + nanosFor(100), pit.nextDeadline());
        program(0x3e, 100);
        assertEquals(3, pit.mode(0));
    }

    @Test
    void controlWordStopsTheChannel() {
        program(0x34, 1000);
        out(CTRL, 0x34);
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
        pit.advanceTo(t0 + 1_000_000_000L);
        assertEquals(0, edges());
    }

    @Test
    void mode0FirstByteOfANewCountStopsCounting() {
        program(0x30, 1000);
        atTick(100);
        out(CH0, 0x00);
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
        assertFalse(pit.output(0));
        atTick(400);
        assertEquals(900, pit.currentCount(0));
        out(CH0, 0x02); // count 0x200 loaded now
        assertEquals(t0 + nanosFor(400 + 0x200), pit.nextDeadline());
    }

    @Test
    void writingANewCountRestartsThePeriodicGrid() {
        program(0x34, 1000);
        atTick(500);
        out(CH0, 2000 & 0xff);
        out(CH0, 2000 >> 8);
        assertEquals(t0 + nanosFor(2500), pit.nextDeadline());
        pit.advanceTo(t0 + nanosFor(2499));
        assertEquals(0, edges());
        pit.advanceTo(t0 + nanosFor(2500));
        assertEquals(1, edges());
    }

    @Test
    void channel2GateAndOutputThroughPort61() {
        assertEquals(0, in(P61) & 0x21, "gate low at reset");
        // Linux pit_calibrate_tsc: gate high with speaker off, channel 2 mode 0, poll bit 5.
        out(P61, (in(P61) & ~0x02) | 0x01);
        program(0xb0, 1000);
        assertEquals(0x01, in(P61) & 0x01);
        atTick(999);
        assertEquals(0, in(P61) & 0x20);
        atTick(1000);
        assertEquals(0x20, in(P61) & 0x20);
        // Channel 2 never interrupts.
        pit.advanceTo(clock.nanos());
        assertTrue(sink.calls.isEmpty());
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
    }

    @Test
    void lowGatePausesMode0() {
        program(0xb0, 1000); // gate still low
        atTick(500);
        assertEquals(1000, readLoHi(CH2), "does not count while the gate is low");
        out(P61, 0x01);
        atTick(700);
        assertEquals(800, readLoHi(CH2));
        out(P61, 0x00);
        atTick(5000);
        assertEquals(800, readLoHi(CH2));
        assertEquals(0, in(P61) & 0x20);
        out(P61, 0x01);
        atTick(5799);
        assertEquals(0, in(P61) & 0x20);
        atTick(5800);
        assertEquals(0x20, in(P61) & 0x20);
    }

    @Test
    void risingGateReloadsMode2() {
        out(P61, 0x01);
        program(0xb4, 100);
        atTick(30);
        assertEquals(70, pit.currentCount(2));
        out(P61, 0x00);
        atTick(60);
        assertEquals(70, pit.currentCount(2), "frozen while the gate is low");
        assertTrue(pit.output(2), "OUT forced high");
        out(P61, 0x01);
        assertEquals(100, pit.currentCount(2));
        atTick(70);
        assertEquals(90, pit.currentCount(2));
    }

    @Test
    void mode1WaitsForAGateTrigger() {
        program(0xb2, 100);
        assertTrue(pit.output(2));
        out(CTRL, 0xe8); // status of channel 2
        assertEquals(0xf2, in(CH2), "OUT high, null count until the trigger, mode 1");
        atTick(500);
        assertTrue(pit.output(2));
        out(P61, 0x01); // rising gate triggers the one-shot
        assertFalse(pit.output(2));
        out(CTRL, 0xe8);
        assertEquals(0x32, in(CH2));
        atTick(599);
        assertFalse(pit.output(2));
        assertEquals(1, pit.currentCount(2));
        atTick(600);
        assertTrue(pit.output(2));
    }

    @Test
    void controlPortReadsFloatAndRefreshBitToggles() {
        assertEquals(0xff, in(CTRL));
        int before = in(P61) & 0x10;
        clock.advance(15_085);
        assertEquals(before ^ 0x10, in(P61) & 0x10);
    }

    @Test
    void port61KeepsSpeakerAndCheckBits() {
        out(P61, 0x0f);
        assertEquals(0x0f, in(P61) & 0x0f);
        assertEquals(0, in(P61) & 0xc0);
    }

    @Test
    void countsStartOnTheSharedInputClockGrid() {
        clock.set(t0 + nanosFor(100) + 500); // between two input-clock edges
        program(0x34, 1000);
        assertEquals(t0 + nanosFor(1100), pit.nextDeadline());
    }

    @Test
    void drivesTheRealPicWithOneRequestPerPeriod() {
        Pic8259Pair pic = new Pic8259Pair();
        Pit8254 timer = new Pit8254(clock, pic);
        pic.write(0x20, 1, 0x11);
        pic.write(0x21, 1, 0x20);
        pic.write(0x21, 1, 0x04);
        pic.write(0x21, 1, 0x01);
        pic.write(0x21, 1, 0xfe); // only IRQ 0
        timer.write(CTRL, 1, 0x34);
        timer.write(CH0, 1, 11932 & 0xff);
        timer.write(CH0, 1, 11932 >> 8);
        timer.advanceTo(timer.nextDeadline());
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(0x20, pic.acknowledge());
        pic.write(0x20, 1, 0x20);
        assertFalse(pic.hasPendingInterrupt());
        // The guest was descheduled for five periods: one request, not five.
        timer.advanceTo(t0 + nanosFor(6 * 11932L));
        assertEquals(0x20, pic.acknowledge());
        pic.write(0x20, 1, 0x20);
        assertFalse(pic.hasPendingInterrupt());
        timer.advanceTo(timer.nextDeadline());
        assertTrue(pic.hasPendingInterrupt());
    }
}
