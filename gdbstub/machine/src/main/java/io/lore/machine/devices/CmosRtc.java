package io.lore.machine.devices;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Motorola MC146818-style CMOS RTC and its 128 bytes of RAM: index port 0x70 (bit 7 = NMI
 * disable, low 7 bits = register), data port 0x71.
 *
 * <p>Time is UTC. The wall clock is sampled once, when the device is built, and from then on
 * advanced by {@link Clock#nanos()}: the RTC never steps when the host clock is adjusted, and
 * the update-in-progress window has sub-millisecond resolution. The guest setting the time
 * (writing 0x00-0x09 or the century at 0x32) only changes an offset, in whole seconds, so the
 * written time keeps advancing and the phase of the second boundaries is kept. While register
 * B's SET bit is held the time registers are frozen and writes collect in a snapshot that is
 * applied when SET is cleared (how guests set the clock atomically). Day of week follows the
 * date; writing it keeps the written value advancing daily as the chip does.
 *
 * <p>Registers: A (0x0a) divider/rate bits are stored, UIP (bit 7) reads 1 during the last
 * 244 µs of every second; B (0x0b, default 0x02: 24-hour, BCD) honours DM (bit 2, binary),
 * 24/12 (bit 1; 12-hour hours carry PM in bit 7) and SET (bit 7, which clears UIE); C (0x0c)
 * reports UF after each completed update cycle and PF at the rate selected in A, with IRQF if
 * the matching enable bit of B is set, and clears on read; D (0x0d) reads 0x80 (valid RAM and
 * time). Changing DM or 24/12 takes effect on the next read (the chip would leave the stored
 * registers in the old format).
 *
 * <p>Not supported: the alarm (AF never sets; 0x01/0x03/0x05 are plain RAM), IRQ 8 (no
 * interrupt is raised; the flags can only be polled), the divider-chain controls of register
 * A (the clock always runs), daylight-saving (DSE) and square-wave output.
 */
public final class CmosRtc implements PortDevice {
    public static final int INDEX_PORT = 0x70;
    public static final int DATA_PORT = 0x71;
    public static final int RAM_SIZE = 128;

    public static final int REG_SECONDS = 0x00;
    public static final int REG_MINUTES = 0x02;
    public static final int REG_HOURS = 0x04;
    public static final int REG_DAY_OF_WEEK = 0x06;
    public static final int REG_DAY_OF_MONTH = 0x07;
    public static final int REG_MONTH = 0x08;
    public static final int REG_YEAR = 0x09;
    public static final int REG_A = 0x0a;
    public static final int REG_B = 0x0b;
    public static final int REG_C = 0x0c;
    public static final int REG_D = 0x0d;
    public static final int REG_CENTURY = 0x32;

    private static final long NS_PER_S = 1_000_000_000L;
    private static final long UIP_WINDOW_NS = 244_000L;
    private static final int B_SET = 0x80;
    private static final int B_UIE = 0x10;
    private static final int B_BINARY = 0x04;
    private static final int B_24H = 0x02;
    private static final int C_IRQF = 0x80;
    private static final int C_PF = 0x40;
    private static final int C_UF = 0x10;

    // Indices into a broken-down time.
    private static final int SEC = 0;
    private static final int MIN = 1;
    private static final int HOUR = 2;
    private static final int DOW = 3;
    private static final int DAY = 4;
    private static final int MONTH = 5;
    private static final int YEAR = 6;

    private final Clock clock;
    private final byte[] ram = new byte[RAM_SIZE];
    private final long anchorEpochNanos;
    private final long anchorNanos;
    private long offsetNanos;
    /** Written day of week minus the natural one, mod 7. */
    private int dowAdjust;
    private int index;
    private boolean nmiDisabled;
    private int regA = 0x26;
    private int regB = B_24H;
    /** Broken-down time frozen while SET is held, else null. */
    private int[] frozen;
    private long lastUpdateCycle;
    private long lastPeriodicTick;

    public CmosRtc(Clock clock) {
        this.clock = clock;
        this.anchorEpochNanos = clock.epochMillis() * 1_000_000L;
        this.anchorNanos = clock.nanos();
        this.lastUpdateCycle = updateCycle(0);
        this.lastPeriodicTick = periodicTick(0);
    }

    /** RTC with the memory-size bytes set as for {@link #setMemorySize(long)}. */
    public CmosRtc(Clock clock, long memoryBytes) {
        this(clock);
        setMemorySize(memoryBytes);
    }

    /**
     * Fills the memory-size bytes a PC BIOS leaves in CMOS: base memory in KiB at 0x15/0x16
     * (at most 640), memory above 1 MiB in KiB at 0x17/0x18 and its copy at 0x30/0x31 (at most
     * 65535), memory above 16 MiB in 64 KiB blocks at 0x34/0x35 (at most 65535, i.e. up to
     * 4 GiB), all little-endian; then the standard checksum of 0x10-0x2d at 0x2e (high byte)
     * and 0x2f. {@code bytes} is the RAM below 4 GiB; memory above 4 GiB is not reported.
     */
    public void setMemorySize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative memory size");
        }
        long mib = 1024L * 1024;
        put16(0x15, Math.min(640, bytes / 1024));
        long extKb = bytes > mib ? Math.min(0xffff, (bytes - mib) / 1024) : 0;
        put16(0x17, extKb);
        put16(0x30, extKb);
        put16(0x34, bytes > 16 * mib ? Math.min(0xffff, (bytes - 16 * mib) / 65536) : 0);
        int sum = 0;
        for (int i = 0x10; i <= 0x2d; i++) {
            sum += ram[i] & 0xff;
        }
        ram[0x2e] = (byte) (sum >> 8);
        ram[0x2f] = (byte) sum;
    }

    private void put16(int at, long v) {
        ram[at] = (byte) v;
        ram[at + 1] = (byte) (v >> 8);
    }

    /** True if the guest last wrote the index port with bit 7 set. */
    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    /** The RTC's current time in seconds since the epoch (UTC), including the guest's offset. */
    public long epochSeconds() {
        return Math.floorDiv(rtcNanos(), NS_PER_S);
    }

    @Override
    public int read(int port, int size) {
        if (port != DATA_PORT) {
            return 0xff; // the index port is write-only
        }
        switch (index) {
            case REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_WEEK, REG_DAY_OF_MONTH,
                    REG_MONTH, REG_YEAR, REG_CENTURY:
                return encodeField(index, frozen != null ? frozen : now());
            case REG_A:
                return regA | (updateInProgress() ? 0x80 : 0);
            case REG_B:
                return regB;
            case REG_C:
                return readC();
            case REG_D:
                return 0x80;
            default:
                return ram[index] & 0xff;
        }
    }

    @Override
    public void write(int port, int size, int value) {
        int v = value & 0xff;
        if (port == INDEX_PORT) {
            index = v & 0x7f;
            nmiDisabled = (v & 0x80) != 0;
            return;
        }
        if (port != DATA_PORT) {
            return;
        }
        switch (index) {
            case REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_WEEK, REG_DAY_OF_MONTH,
                    REG_MONTH, REG_YEAR, REG_CENTURY -> writeField(index, v);
            case REG_A -> {
                regA = v & 0x7f; // UIP is read-only
                lastPeriodicTick = periodicTick(clock.nanos() - anchorNanos);
            }
            case REG_B -> writeB(v);
            case REG_C, REG_D -> { } // read-only
            default -> ram[index] = (byte) v;
        }
    }

    private void writeB(int v) {
        boolean wasSet = (regB & B_SET) != 0;
        boolean set = (v & B_SET) != 0;
        if (set && !wasSet) {
            frozen = now();
        } else if (!set && wasSet) {
            apply(frozen);
            frozen = null;
            // Updates were inhibited: do not report the ones that did not happen.
            lastUpdateCycle = updateCycle(clock.nanos() - anchorNanos);
        }
        regB = set ? v & ~B_UIE : v;
    }

    private void writeField(int reg, int v) {
        int[] t = frozen != null ? frozen : now();
        switch (reg) {
            case REG_SECONDS -> t[SEC] = decode(v);
            case REG_MINUTES -> t[MIN] = decode(v);
            case REG_HOURS -> t[HOUR] = (regB & B_24H) != 0
                    ? decode(v) : decode(v & 0x7f) % 12 + ((v & 0x80) != 0 ? 12 : 0);
            case REG_DAY_OF_WEEK -> t[DOW] = decode(v);
            case REG_DAY_OF_MONTH -> t[DAY] = decode(v);
            case REG_MONTH -> t[MONTH] = decode(v);
            case REG_YEAR -> t[YEAR] = t[YEAR] / 100 * 100 + decode(v);
            default -> t[YEAR] = decode(v) * 100 + t[YEAR] % 100; // century
        }
        if (frozen == null) {
            apply(t);
        }
    }

    /** Makes {@code t} the current time: shifts the offset by whole seconds, keeping the phase. */
    private void apply(int[] t) {
        // Lenient: out-of-range fields roll over rather than fail, like a half-written date.
        LocalDate date = LocalDate.of(t[YEAR], 1, 1).plusMonths(t[MONTH] - 1L).plusDays(t[DAY] - 1L);
        long written = date.toEpochDay() * 86_400L + t[HOUR] * 3600L + t[MIN] * 60L + t[SEC];
        offsetNanos += (written - epochSeconds()) * NS_PER_S;
        dowAdjust = Math.floorMod(t[DOW] - naturalDayOfWeek(date), 7);
    }

    /** RTC day-of-week numbering: Sunday = 1 .. Saturday = 7. */
    private static int naturalDayOfWeek(LocalDate date) {
        return date.getDayOfWeek().getValue() % 7 + 1;
    }

    private long rtcNanos() {
        return anchorEpochNanos + (clock.nanos() - anchorNanos) + offsetNanos;
    }

    private int[] now() {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSeconds(), 0, ZoneOffset.UTC);
        int dow = Math.floorMod(naturalDayOfWeek(t.toLocalDate()) - 1 + dowAdjust, 7) + 1;
        return new int[] {t.getSecond(), t.getMinute(), t.getHour(), dow, t.getDayOfMonth(),
            t.getMonthValue(), t.getYear()};
    }

    private boolean updateInProgress() {
        if ((regB & B_SET) != 0) {
            return false; // SET inhibits update cycles
        }
        return Math.floorMod(rtcNanos(), NS_PER_S) >= NS_PER_S - UIP_WINDOW_NS;
    }

    private int readC() {
        long e = clock.nanos() - anchorNanos;
        int flags = 0;
        long cycle = updateCycle(e);
        if (cycle > lastUpdateCycle && (regB & B_SET) == 0) {
            flags |= C_UF;
        }
        lastUpdateCycle = cycle;
        long tick = periodicTick(e);
        if (tick > lastPeriodicTick) {
            flags |= C_PF;
        }
        lastPeriodicTick = tick;
        // PF, AF and UF sit in the same bit positions as their enables PIE, AIE and UIE in B.
        if ((flags & regB & 0x70) != 0) {
            flags |= C_IRQF;
        }
        return flags;
    }

    /** Number of update cycles (second boundaries) completed at {@code e} ns after the anchor. */
    private long updateCycle(long e) {
        // The offset is whole seconds, so it does not move the boundaries.
        return Math.floorDiv(anchorEpochNanos + e, NS_PER_S);
    }

    /** Number of periodic-interrupt periods elapsed at {@code e} ns after the anchor. */
    private long periodicTick(long e) {
        int rs = regA & 0x0f;
        if (rs == 0) {
            return 0;
        }
        long hz = rs == 1 ? 256 : rs == 2 ? 128 : 32768 >> (rs - 1);
        return e / NS_PER_S * hz + e % NS_PER_S * hz / NS_PER_S;
    }

    private int encodeField(int reg, int[] t) {
        switch (reg) {
            case REG_SECONDS:
                return encode(t[SEC]);
            case REG_MINUTES:
                return encode(t[MIN]);
            case REG_HOURS: {
                int h = t[HOUR];
                if ((regB & B_24H) != 0) {
                    return encode(h);
                }
                int h12 = h % 12 == 0 ? 12 : h % 12;
                return encode(h12) | (h >= 12 ? 0x80 : 0);
            }
            case REG_DAY_OF_WEEK:
                return encode(t[DOW]);
            case REG_DAY_OF_MONTH:
                return encode(t[DAY]);
            case REG_MONTH:
                return encode(t[MONTH]);
            case REG_YEAR:
                return encode(Math.floorMod(t[YEAR], 100));
            default:
                return encode(Math.floorDiv(t[YEAR], 100));
        }
    }

    private int encode(int v) {
        return (regB & B_BINARY) != 0 ? v & 0xff : (v / 10 % 10) << 4 | v % 10;
    }

    private int decode(int v) {
        return (regB & B_BINARY) != 0 ? v : (v >> 4) * 10 + (v & 0x0f);
    }
}
