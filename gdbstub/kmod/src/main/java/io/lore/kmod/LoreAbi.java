package io.lore.kmod;

import com.sun.jna.NativeLong;

/**
 * kmod/include/uapi/lore.h in Java: the ABI version this LoRe speaks, ioctl numbers (computed
 * as the kernel's _IO/_IOR/_IOW/_IOWR macros do), flags and structure layouts. A test
 * compiles the C header and compares every number here with it.
 */
public final class LoreAbi {
    private LoreAbi() {}

    /** The only lore.ko ABI this code can talk to. */
    public static final int VERSION = 1;
    public static final int SHARED_MAGIC = 0x4c6f5265;
    public static final String DEVICE = "/dev/lore";

    public static final int CAP_TRACE = 1;
    public static final int CAP_TSC = 2;
    public static final int CAP_BRANCH = 4;

    public static final int MODE_RECORD = 1;
    public static final int MODE_REPLAY = 2;

    public static final int CAPTURE_EXITS = 1;
    public static final int CAPTURE_PIO = 2;
    public static final int CAPTURE_MMIO = 4;
    public static final int CAPTURE_MSR = 8;
    public static final int CAPTURE_VIRQ = 16;
    public static final int CAPTURE_TSC = 32;
    public static final int CAPTURE_ALL = 0x3f;

    public static final int STAT_TSC_LAYOUT_BAD = 1;

    public static final int RECORD_SIZE = 32;
    public static final int REC_EXIT = 1;
    public static final int REC_PIO = 2;
    public static final int REC_MMIO = 3;
    public static final int REC_MSR = 4;
    public static final int REC_VIRQ = 5;
    public static final int REC_TSC = 6;
    public static final int REC_BRANCH = 7;
    public static final int REC_TSC_FEED = 8;

    public static final int F_SIZE_MASK = 0x0f;
    public static final int F_WRITE = 0x10;

    // struct sizes
    static final int VERSION_SIZE = 16;
    static final int ATTACH_SIZE = 16;
    static final int CAPTURE_SIZE = 8;
    static final int STATS_SIZE = 14 * 8 + 8;
    static final int DRAIN_SIZE = 16;
    static final int WAIT_SIZE = 16;
    static final int BRANCH_ARM_SIZE = 32;

    // struct lore_shared: header, then two struct lore_ring of 192 bytes
    static final int SHARED_EVENTS_OFFSET = 8;
    static final int SHARED_FEED_OFFSET = 16;
    static final int SHARED_SIZE = 24;
    static final int RING_EVENTS = 64;
    static final int RING_FEED = 64 + 192;
    static final int RING_HEAD = 0;
    static final int RING_TAIL = 64;
    static final int RING_DROPPED = 128;
    static final int RING_CAPACITY = 136;
    static final int RING_RECORD_SIZE = 140;

    private static final int MAGIC = 0xB7;

    private static NativeLong ioc(int dir, int nr, int size) {
        return new NativeLong(((long) dir << 30) | ((long) size << 16) | (MAGIC << 8) | nr);
    }

    static final NativeLong IOC_VERSION = ioc(2, 0, VERSION_SIZE);
    static final NativeLong IOC_ATTACH = ioc(1, 1, ATTACH_SIZE);
    static final NativeLong IOC_DETACH = ioc(0, 2, 0);
    static final NativeLong IOC_START = ioc(1, 3, CAPTURE_SIZE);
    static final NativeLong IOC_STOP = ioc(0, 4, 0);
    static final NativeLong IOC_STATS = ioc(2, 5, STATS_SIZE);
    static final NativeLong IOC_DRAIN = ioc(3, 6, DRAIN_SIZE);
    static final NativeLong IOC_WAIT = ioc(3, 7, WAIT_SIZE);
    static final NativeLong IOC_BRANCH_ARM = ioc(1, 8, BRANCH_ARM_SIZE);
    static final NativeLong IOC_BRANCH_READ = ioc(2, 9, 8);
    static final NativeLong IOC_BRANCH_NOTIFY = ioc(0, 10, 0);
}
