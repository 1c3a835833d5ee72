package io.lore.machine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CmosRtcTest {
    /** 2024-02-29T23:59:58Z, a Thursday, one leap day before the end of February. */
    private static final long LEAP_EVE = 1_709_251_198L;
    private static final long SECOND = 1_000_000_000L;

    private ManualClock clock;
    private CmosRtc rtc;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(LEAP_EVE * 1000);
        rtc = new CmosRtc(clock);
    }

    private int reg(int index) {
        rtc.write(CmosRtc.INDEX_PORT, 1, index);
        return rtc.read(CmosRtc.DATA_PORT, 1);
    }

    private void set(int index, int value) {
        rtc.write(CmosRtc.INDEX_PORT, 1, index);
        rtc.write(CmosRtc.DATA_PORT, 1, value);
    }

    /** sec, min, hour, day of week, day of month, month, year, century as read. */
    private int[] time() {
        return new int[] {reg(0x00), reg(0x02), reg(0x04), reg(0x06), reg(0x07), reg(0x08),
            reg(0x09), reg(0x32)};
    }

    private static String hex(int[] regs) {
        StringBuilder sb = new StringBuilder();
        for (int r : regs) {
            sb.append(String.format("%02x ", r));
        }
        return sb.toString().trim();
    }

    @Test
    void defaultsAre24HourBcd() {
        assertEquals(0x02, reg(0x0b));
        assertEquals(0x26, reg(0x0a));
        assertEquals(0x80, reg(0x0d));
        assertEquals("58 59 23 05 29 02 24 20", hex(time()));
    }

    @Test
    void timeAdvancesWithTheClockAcrossTheLeapDay() {
        clock.advance(2 * SECOND);
        assertEquals("00 00 00 06 01 03 24 20", hex(time()));
        assertEquals(LEAP_EVE + 2, rtc.epochSeconds());
    }

    @Test
    void binaryMode() {
        set(0x0b, 0x06);
        assertEquals("3a 3b 17 05 1d 02 18 14", hex(time()));
    }

    @Test
    void twelveHourModeCarriesPmInBit7() {
        set(0x0b, 0x00); // 12-hour BCD
        assertEquals(0x91, reg(0x04), "23h = 11 PM");
        clock.advance(2 * SECOND);
        assertEquals(0x12, reg(0x04), "midnight = 12 AM");
        clock.advance(12 * 3600 * SECOND);
        assertEquals(0x92, reg(0x04), "noon = 12 PM");
        clock.advance(3600 * SECOND);
        assertEquals(0x81, reg(0x04), "13h = 1 PM");
        set(0x0b, 0x04); // 12-hour binary
        assertEquals(0x81, reg(0x04));
        clock.advance(9 * 3600 * SECOND);
        assertEquals(0x8a, reg(0x04), "22h = 10 PM");
    }

    @Test
    void updateInProgressDuringTheLast244MicrosecondsOfEachSecond() {
        // The manual clock starts exactly on a second boundary.
        assertEquals(0, reg(0x0a) & 0x80);
        clock.advance(SECOND - 244_001);
        assertEquals(0, reg(0x0a) & 0x80);
        clock.advance(1);
        assertEquals(0x80, reg(0x0a) & 0x80);
        assertEquals(0x58, reg(0x00), "the old second until the update completes");
        clock.advance(243_999);
        assertEquals(0x80, reg(0x0a) & 0x80);
        clock.advance(1);
        assertEquals(0, reg(0x0a) & 0x80);
        assertEquals(0x59, reg(0x00));
    }

    @Test
    void uipFollowsSubMillisecondPhaseOfTheWallClock() {
        ManualClock c = new ManualClock(3_000_000_000L, LEAP_EVE * 1000 + 999);
        CmosRtc r = new CmosRtc(c);
        r.write(0x70, 1, 0x0a);
        assertEquals(0, r.read(0x71, 1) & 0x80, "999 ms: 1 ms left, outside the window");
        c.advance(1_000_000 - 244_000);
        assertEquals(0x80, r.read(0x71, 1) & 0x80);
    }

    @Test
    void registerCReportsUpdateEndedAndClearsOnRead() {
        set(0x0a, 0x20); // periodic rate off, so only UF can appear
        assertEquals(0, reg(0x0c));
        clock.advance(SECOND / 2);
        assertEquals(0, reg(0x0c));
        clock.advance(SECOND / 2);
        assertEquals(0x10, reg(0x0c), "UF, no IRQF without UIE");
        assertEquals(0, reg(0x0c), "cleared by the read");
        set(0x0b, 0x12); // UIE
        clock.advance(SECOND);
        assertEquals(0x90, reg(0x0c), "IRQF + UF");
        assertEquals(0, reg(0x0c));
    }

    @Test
    void registerCReportsPeriodicFlagAtTheSelectedRate() {
        set(0x0a, 0x26); // 1024 Hz
        clock.advance(900_000);
        assertEquals(0, reg(0x0c) & 0x40);
        clock.advance(100_000); // 1 ms > 976.5 us
        assertEquals(0x40, reg(0x0c));
        set(0x0b, 0x42); // PIE
        clock.advance(976_563);
        assertEquals(0xc0, reg(0x0c));
        set(0x0a, 0x20); // rate 0: no periodic interrupt
        clock.advance(SECOND / 4);
        assertEquals(0, reg(0x0c) & 0x40);
        set(0x0a, 0x2f); // 2 Hz
        clock.advance(SECOND / 2);
        assertEquals(0x40, reg(0x0c) & 0x40);
    }

    @Test
    void writingATimeRegisterSetsAnOffsetThatKeepsRunning() {
        set(0x04, 0x10);
        assertEquals("58 59 10 05 29 02 24 20", hex(time()));
        assertEquals(LEAP_EVE - 13 * 3600, rtc.epochSeconds());
        clock.advance(3600 * SECOND);
        assertEquals(0x11, reg(0x04));
        assertEquals(0x58, reg(0x00));
    }

    @Test
    void writingTheYearAndCentury() {
        set(0x09, 0x99);
        assertEquals(0x99, reg(0x09));
        assertEquals(0x20, reg(0x32));
        set(0x32, 0x21);
        assertEquals(0x21, reg(0x32));
        assertEquals(0x99, reg(0x09));
        // 2199-02-29 does not exist: the lenient conversion rolls it to 1 March.
        assertEquals(0x03, reg(0x08));
        assertEquals(0x01, reg(0x07));
    }

    @Test
    void setBitFreezesTimeAndAppliesWritesAtomically() {
        set(0x0b, 0x82); // SET
        assertEquals(0, reg(0x0a) & 0x80);
        clock.advance(5 * SECOND);
        assertEquals(0x58, reg(0x00), "frozen");
        // Write 2024-03-31 10:20:30 one field at a time; 31 February in between is harmless.
        set(0x07, 0x31);
        set(0x08, 0x03);
        set(0x04, 0x10);
        set(0x02, 0x20);
        set(0x00, 0x30);
        set(0x06, 0x01);
        assertEquals(0x30, reg(0x00));
        clock.advance(SECOND * 3 / 2);
        assertEquals(0x30, reg(0x00), "still frozen while SET");
        set(0x0b, 0x02);
        assertEquals(1_711_880_430L, rtc.epochSeconds());
        assertEquals("30 20 10 01 31 03 24 20", hex(time()));
        clock.advance(SECOND);
        assertEquals(0x31, reg(0x00));
    }

    @Test
    void setTimeKeepsTheSubSecondPhase() {
        clock.advance(SECOND / 2);
        set(0x00, 0x10);
        clock.advance(SECOND / 2 - 1);
        assertEquals(0x10, reg(0x00));
        clock.advance(1);
        assertEquals(0x11, reg(0x00));
    }

    @Test
    void setBitClearsUpdateInterruptEnable() {
        set(0x0b, 0x12);
        set(0x0b, 0x92);
        assertEquals(0x82, reg(0x0b));
    }

    @Test
    void setBitInhibitsUpdateInProgressAndUpdateEndedFlag() {
        clock.advance(SECOND - 100_000);
        set(0x0b, 0x82);
        assertEquals(0, reg(0x0a) & 0x80);
        clock.advance(3 * SECOND);
        assertEquals(0, reg(0x0c) & 0x10);
        set(0x0b, 0x02);
        assertEquals(0, reg(0x0c) & 0x10, "no update happened while SET was held");
    }

    @Test
    void binaryWritesAreDecodedAsBinary() {
        set(0x0b, 0x06);
        set(0x02, 45);
        assertEquals(45, reg(0x02));
        set(0x0b, 0x02);
        assertEquals(0x45, reg(0x02));
    }

    @Test
    void twelveHourWrites() {
        set(0x0b, 0x00);
        set(0x04, 0x87); // 7 PM
        set(0x0b, 0x02);
        assertEquals(0x19, reg(0x04));
        set(0x0b, 0x00);
        set(0x04, 0x12); // 12 AM
        set(0x0b, 0x02);
        assertEquals(0x00, reg(0x04));
    }

    @Test
    void dayOfWeekWriteIsKeptAndAdvancesDaily() {
        set(0x06, 0x02);
        assertEquals(0x02, reg(0x06));
        clock.advance(2 * SECOND);
        assertEquals(0x03, reg(0x06));
        set(0x06, 0x07);
        clock.advance(86_400 * SECOND);
        assertEquals(0x01, reg(0x06), "Saturday wraps to Sunday");
    }

    @Test
    void registersCAndDAreReadOnlyAndUipIsNotWritable() {
        set(0x0d, 0x00);
        assertEquals(0x80, reg(0x0d));
        set(0x0a, 0xa6);
        assertEquals(0x26, reg(0x0a));
    }

    @Test
    void indexPortKeepsNmiDisableSeparate() {
        assertFalse(rtc.nmiDisabled());
        rtc.write(CmosRtc.INDEX_PORT, 1, 0x80 | 0x40);
        assertTrue(rtc.nmiDisabled());
        rtc.write(CmosRtc.DATA_PORT, 1, 0x5a);
        assertEquals(0x5a, reg(0x40));
        assertFalse(rtc.nmiDisabled());
        assertEquals(0xff, rtc.read(CmosRtc.INDEX_PORT, 1));
    }

    @Test
    void ramBytesAreKept() {
        for (int i = 0x0e; i < 0x80; i++) {
            if (i != 0x32) {
                set(i, i ^ 0xa5);
            }
        }
        for (int i = 0x0e; i < 0x80; i++) {
            if (i != 0x32) {
                assertEquals(i ^ 0xa5, reg(i), "index " + i);
            }
        }
        set(0x01, 0x33); // alarm seconds: plain storage
        assertEquals(0x33, reg(0x01));
    }

    @Test
    void memorySizeBytesLikeAPcBios() {
        rtc.setMemorySize(256L << 20);
        assertEquals(640, reg(0x15) | reg(0x16) << 8);
        assertEquals(0xffff, reg(0x17) | reg(0x18) << 8, "capped at 65535 KiB");
        assertEquals(0xffff, reg(0x30) | reg(0x31) << 8);
        assertEquals(240 * 16, reg(0x34) | reg(0x35) << 8, "64 KiB blocks above 16 MiB");

        CmosRtc small = new CmosRtc(clock, 8L << 20);
        small.write(0x70, 1, 0x17);
        int lo = small.read(0x71, 1);
        small.write(0x70, 1, 0x18);
        assertEquals(7 * 1024, lo | small.read(0x71, 1) << 8);
        small.write(0x70, 1, 0x34);
        assertEquals(0, small.read(0x71, 1));

        rtc.setMemorySize(8L << 30);
        assertEquals(0xffff, reg(0x34) | reg(0x35) << 8, "capped at 4 GiB");
    }

    @Test
    void memorySizeChecksumCoversBytes10To2d() {
        set(0x10, 0x40);
        rtc.setMemorySize(32L << 20);
        int sum = 0;
        for (int i = 0x10; i <= 0x2d; i++) {
            sum += reg(i);
        }
        assertEquals(sum, reg(0x2e) << 8 | reg(0x2f));
        assertEquals(0x40 + 0x80 + 0x02 + (31 * 1024 & 0xff) + (31 * 1024 >> 8), sum);
    }
}
