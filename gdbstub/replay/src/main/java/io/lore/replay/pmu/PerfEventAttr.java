package io.lore.replay.pmu;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code struct perf_event_attr} from include/uapi/linux/perf_event.h, laid out up to
 * PERF_ATTR_SIZE_VER7 (128 bytes). Field names follow the header so the two can be compared
 * line by line; unions are represented by their first member (sample_period, wakeup_events,
 * config1 = bp_addr, config2 = bp_len). The 64-bit bitfield after read_format is {@link #flags},
 * set with the bit constants below.
 *
 * <p>Passing the full VER7 size is safe on older kernels: they accept a larger struct when the
 * bytes they do not know are zero, and otherwise fail with E2BIG and write their size into
 * {@link #size}.
 */
@FieldOrder({"type", "size", "config", "sample_period", "sample_type", "read_format", "flags",
        "wakeup_events", "bp_type", "config1", "config2", "branch_sample_type", "sample_regs_user",
        "sample_stack_user", "clockid", "sample_regs_intr", "aux_watermark", "sample_max_stack",
        "reserved_2", "aux_sample_size", "reserved_3", "sig_data"})
public final class PerfEventAttr extends Structure {
    public static final int PERF_ATTR_SIZE_VER0 = 64;
    public static final int PERF_ATTR_SIZE_VER5 = 112;
    public static final int PERF_ATTR_SIZE_VER7 = 128;

    public static final int PERF_TYPE_HARDWARE = 0;
    public static final int PERF_TYPE_SOFTWARE = 1;
    public static final int PERF_TYPE_TRACEPOINT = 2;
    public static final int PERF_TYPE_HW_CACHE = 3;
    public static final int PERF_TYPE_RAW = 4;
    public static final int PERF_TYPE_BREAKPOINT = 5;

    public static final long PERF_COUNT_SW_CPU_CLOCK = 0;
    public static final long PERF_COUNT_SW_TASK_CLOCK = 1;

    // Bit positions of the flags bitfield, in the header's declaration order (LSB first on x86).
    public static final long DISABLED = 1L << 0;
    public static final long INHERIT = 1L << 1;
    public static final long PINNED = 1L << 2;
    public static final long EXCLUSIVE = 1L << 3;
    public static final long EXCLUDE_USER = 1L << 4;
    public static final long EXCLUDE_KERNEL = 1L << 5;
    public static final long EXCLUDE_HV = 1L << 6;
    public static final long EXCLUDE_IDLE = 1L << 7;
    public static final long MMAP = 1L << 8;
    public static final long COMM = 1L << 9;
    public static final long FREQ = 1L << 10;
    public static final long INHERIT_STAT = 1L << 11;
    public static final long ENABLE_ON_EXEC = 1L << 12;
    public static final long TASK = 1L << 13;
    public static final long WATERMARK = 1L << 14;
    public static final int PRECISE_IP_SHIFT = 15; // two bits: 15-16
    public static final long PRECISE_IP_MASK = 3L << PRECISE_IP_SHIFT;
    public static final long MMAP_DATA = 1L << 17;
    public static final long SAMPLE_ID_ALL = 1L << 18;
    public static final long EXCLUDE_HOST = 1L << 19;
    public static final long EXCLUDE_GUEST = 1L << 20;
    public static final long EXCLUDE_CALLCHAIN_KERNEL = 1L << 21;
    public static final long EXCLUDE_CALLCHAIN_USER = 1L << 22;
    public static final long MMAP2 = 1L << 23;
    public static final long COMM_EXEC = 1L << 24;
    public static final long USE_CLOCKID = 1L << 25;
    public static final long CONTEXT_SWITCH = 1L << 26;
    public static final long WRITE_BACKWARD = 1L << 27;
    public static final long NAMESPACES = 1L << 28;
    public static final long KSYMBOL = 1L << 29;
    public static final long BPF_EVENT = 1L << 30;
    public static final long AUX_OUTPUT = 1L << 31;
    public static final long CGROUP = 1L << 32;
    public static final long TEXT_POKE = 1L << 33;
    public static final long BUILD_ID = 1L << 34;
    public static final long INHERIT_THREAD = 1L << 35;
    public static final long REMOVE_ON_EXEC = 1L << 36;
    public static final long SIGTRAP = 1L << 37;

    public int type;
    public int size;
    public long config;
    public long sample_period;
    public long sample_type;
    public long read_format;
    public long flags;
    public int wakeup_events;
    public int bp_type;
    public long config1;
    public long config2;
    public long branch_sample_type;
    public long sample_regs_user;
    public int sample_stack_user;
    public int clockid;
    public long sample_regs_intr;
    public int aux_watermark;
    public short sample_max_stack;
    public short reserved_2;
    public int aux_sample_size;
    public int reserved_3;
    public long sig_data;

    public PerfEventAttr() {
        size = PERF_ATTR_SIZE_VER7;
    }

    /** Byte offset of a field as JNA lays it out (tests compare it with the kernel header). */
    int offsetOf(String field) {
        return fieldOffset(field);
    }

    public boolean has(long flag) {
        return (flags & flag) == flag;
    }

    public PerfEventAttr set(long flag, boolean on) {
        flags = on ? flags | flag : flags & ~flag;
        return this;
    }

    @Override
    public String toString() {
        return String.format("perf_event_attr{type=%d, config=%#x, sample_period=%d, flags=%#x, size=%d}",
                type, config, sample_period, flags, size);
    }
}
