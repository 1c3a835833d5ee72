package io.lore.replay.pmu;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * perf_event_open(2) and the calls that drive a perf event fd, bound with JNA direct mapping
 * (like io.lore.kvm.LibC): open via syscall 298 (glibc has no wrapper), the PERF_EVENT_IOC_*
 * ioctls, read(2) of the 64-bit count, and the fcntl sequence that turns each overflow into a
 * chosen signal for one thread. x86-64 Linux only: the syscall numbers and {@code long} for
 * size_t/unsigned long below assume LP64.
 *
 * <p>Every failure becomes a {@link PerfEventException} naming the call and the errno.
 */
public final class PerfEventOpen {
    private PerfEventOpen() {}

    /** The raw libc symbols; kept apart so the public wrappers can reuse their names. */
    private static final class C {
        static {
            Native.register(C.class, "c");
        }

        static native long syscall(long number, Pointer attr, long pid, long cpu, long groupFd, long flags)
                throws LastErrorException;

        static native long syscall(long number) throws LastErrorException;

        static native int ioctl(int fd, long request, long arg) throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native int fcntl(int fd, int cmd, long arg) throws LastErrorException;

        static native int fcntl(int fd, int cmd, Pointer arg) throws LastErrorException;

        static native long read(int fd, Pointer buf, long count) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }

    public static final long SYS_perf_event_open = 298;
    public static final long SYS_gettid = 186;

    public static final long PERF_FLAG_FD_NO_GROUP = 1L << 0;
    public static final long PERF_FLAG_FD_OUTPUT = 1L << 1;
    public static final long PERF_FLAG_PID_CGROUP = 1L << 2;
    public static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;

    // asm-generic/ioctl.h encoding: dir(2) | size(14) | type(8) | nr(8), from the top bit down.
    private static final int IOC_WRITE = 1;

    static long io(int type, int nr) {
        return ((long) type << 8) | nr;
    }

    static long iow(int type, int nr, int size) {
        return ((long) IOC_WRITE << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    public static final long PERF_EVENT_IOC_ENABLE = io('$', 0);
    public static final long PERF_EVENT_IOC_DISABLE = io('$', 1);
    public static final long PERF_EVENT_IOC_REFRESH = io('$', 2);
    public static final long PERF_EVENT_IOC_RESET = io('$', 3);
    public static final long PERF_EVENT_IOC_PERIOD = iow('$', 4, Long.BYTES);

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_SETSIG = 10;
    public static final int F_SETOWN_EX = 15;
    public static final int F_OWNER_TID = 0;
    public static final int O_ASYNC = 0x2000; // 020000

    /**
     * perf_event_open(attr, pid, cpu, groupFd, flags). pid 0 with cpu -1 means "the calling
     * thread, on whatever CPU it runs", which is how a counter follows a vCPU thread.
     *
     * @return the new fd
     */
    public static int open(PerfEventAttr attr, int pid, int cpu, int groupFd, long flags) {
        attr.write();
        try {
            return (int) C.syscall(SYS_perf_event_open, attr.getPointer(), pid, cpu, groupFd, flags);
        } catch (LastErrorException e) {
            attr.read(); // on E2BIG the kernel wrote the size it supports into attr.size
            throw new PerfEventException("perf_event_open(" + attr + ", pid=" + pid + ", cpu=" + cpu + ")",
                    e.getErrorCode());
        }
    }

    public static void enable(int fd) {
        ioctl(fd, PERF_EVENT_IOC_ENABLE, 0L, "PERF_EVENT_IOC_ENABLE");
    }

    public static void disable(int fd) {
        ioctl(fd, PERF_EVENT_IOC_DISABLE, 0L, "PERF_EVENT_IOC_DISABLE");
    }

    /** Zeroes the count; it does not restart the sampling period (PERF_EVENT_IOC_PERIOD does). */
    public static void reset(int fd) {
        ioctl(fd, PERF_EVENT_IOC_RESET, 0L, "PERF_EVENT_IOC_RESET");
    }

    /**
     * Enables the event for {@code overflows} more overflows, after which the kernel disables it.
     * Not used for seeking: once disabled the counter stops counting, so the branches executed
     * during the skid would be lost from the count.
     */
    public static void refresh(int fd, int overflows) {
        ioctl(fd, PERF_EVENT_IOC_REFRESH, overflows, "PERF_EVENT_IOC_REFRESH");
    }

    /**
     * Sets the sampling period. The kernel also discards the period already elapsed, so the next
     * overflow comes {@code period} events after this call (or after the next enable).
     * Only sampling events (opened with sample_period != 0) accept this; {@code period} must be
     * in [1, 2^63).
     */
    public static void setPeriod(int fd, long period) {
        if (period <= 0) {
            throw new IllegalArgumentException("sample period must be in [1, 2^63): " + period);
        }
        Memory value = new Memory(Long.BYTES);
        value.setLong(0, period);
        try {
            C.ioctl(fd, PERF_EVENT_IOC_PERIOD, value);
        } catch (LastErrorException e) {
            throw new PerfEventException("PERF_EVENT_IOC_PERIOD(" + period + ")", e.getErrorCode());
        }
    }

    /** Reads the 64-bit count (read_format 0) using {@code scratch} (8 bytes) as the buffer. */
    public static long readCount(int fd, Pointer scratch) {
        long n;
        try {
            n = C.read(fd, scratch, Long.BYTES);
        } catch (LastErrorException e) {
            throw new PerfEventException("read(perf event fd)", e.getErrorCode());
        }
        if (n == 0) {
            // A pinned event that lost its PMU counter goes into error state and reads as EOF;
            // better to fail than to return a count that silently stopped.
            throw new PerfEventException("read(perf event fd) returned end of file: the pinned counter could "
                    + "not stay on the PMU (another user took the hardware counters?)");
        }
        if (n != Long.BYTES) {
            throw new PerfEventException("read(perf event fd) returned " + n + " bytes, expected 8");
        }
        return scratch.getLong(0);
    }

    public static long readCount(int fd) {
        return readCount(fd, new Memory(Long.BYTES));
    }

    /**
     * Makes every overflow of {@code fd} send {@code signal} to thread {@code tid} only:
     * F_SETOWN_EX(F_OWNER_TID) aims it at the thread rather than the process, F_SETSIG picks the
     * signal (and makes it carry si_fd), and O_ASYNC turns the notification on. The kernel sends
     * it on each overflow of a sampling event even without a ring buffer mapped.
     */
    public static void signalOverflowTo(int fd, int tid, int signal) {
        Memory owner = new Memory(8); // struct f_owner_ex { int type; pid_t pid; }
        owner.setInt(0, F_OWNER_TID);
        owner.setInt(4, tid);
        try {
            C.fcntl(fd, F_SETOWN_EX, owner);
        } catch (LastErrorException e) {
            throw new PerfEventException("fcntl(F_SETOWN_EX, F_OWNER_TID " + tid + ")", e.getErrorCode());
        }
        fcntl(fd, F_SETSIG, signal, "fcntl(F_SETSIG, " + signal + ")");
        int fl = fcntl(fd, F_GETFL, 0, "fcntl(F_GETFL)");
        fcntl(fd, F_SETFL, fl | O_ASYNC, "fcntl(F_SETFL, O_ASYNC)");
    }

    /** The fd's status flags (F_GETFL), e.g. to check {@link #O_ASYNC}. */
    public static int statusFlags(int fd) {
        return fcntl(fd, F_GETFL, 0, "fcntl(F_GETFL)");
    }

    public static void close(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException e) {
            throw new PerfEventException("close(perf event fd " + fd + ")", e.getErrorCode());
        }
    }

    /** The calling thread's kernel tid (what F_OWNER_TID and tgkill expect). */
    public static int gettid() {
        return (int) C.syscall(SYS_gettid);
    }

    private static void ioctl(int fd, long request, long arg, String name) {
        try {
            C.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new PerfEventException(name, e.getErrorCode());
        }
    }

    private static int fcntl(int fd, int cmd, long arg, String name) {
        try {
            return C.fcntl(fd, cmd, arg);
        } catch (LastErrorException e) {
            throw new PerfEventException(name, e.getErrorCode());
        }
    }
}
