package io.lore.kmod;

import io.lore.kvm.LibC;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One open /dev/lore: the ioctls of kmod/include/uapi/lore.h. It can attach to one KVM VM of
 * this process; closing it detaches and frees everything in the module (so does exiting).
 */
public final class LoreDevice implements AutoCloseable {
    private final int fd;
    private Pointer area;
    private long areaSize;
    private ByteBuffer buffer;

    private LoreDevice(int fd) {
        this.fd = fd;
    }

    /** Whether lore.ko is loaded (its device node exists). */
    public static boolean present() {
        return Files.exists(Path.of(LoreAbi.DEVICE));
    }

    public static LoreDevice open() {
        return open(LoreAbi.DEVICE);
    }

    public static LoreDevice open(String path) {
        try {
            return new LoreDevice(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            String why = e.getErrorCode() == LibC.ENOENT ? "lore.ko is not loaded (see kmod/README.md)"
                    : e.getErrorCode() == LibC.EACCES ? "permission denied (root, or the group of " + path + ")"
                    : LibC.strerror(e.getErrorCode());
            throw new KmodException("cannot open " + path + ": " + why, e.getErrorCode());
        }
    }

    public AbiVersion version() {
        Memory m = new Memory(LoreAbi.VERSION_SIZE);
        m.clear();
        try {
            LibC.ioctl(fd, LoreAbi.IOC_VERSION, m);
        } catch (LastErrorException e) {
            throw new KmodException(e.getErrorCode() == LibC.ENOTTY
                    ? LoreAbi.DEVICE + " does not answer LORE_IOC_VERSION: it is not lore.ko's device"
                    : "LORE_IOC_VERSION failed: " + LibC.strerror(e.getErrorCode()), e.getErrorCode());
        }
        return new AbiVersion(m.getInt(0), m.getInt(4), m.getInt(8));
    }

    /** Attaches to the VM behind {@code vmFd} and maps the shared area. */
    public void attach(int vmFd, int eventRecords, int feedRecords) {
        Memory m = new Memory(LoreAbi.ATTACH_SIZE);
        m.setInt(0, vmFd);
        m.setInt(4, 0);
        m.setInt(8, eventRecords);
        m.setInt(12, feedRecords);
        ioctl(LoreAbi.IOC_ATTACH, m, "LORE_IOC_ATTACH");
        Pointer head = mmap(4096);
        long size = head.getLong(LoreAbi.SHARED_SIZE);
        int magic = head.getInt(0);
        int abi = head.getInt(4);
        munmap(head, 4096);
        if (magic != LoreAbi.SHARED_MAGIC || abi != LoreAbi.VERSION || size < 4096 || size > (1L << 31)) {
            throw new KmodException(String.format("lore.ko's shared area is not as expected (magic %#x, abi %d, %d bytes)",
                    magic, abi, size));
        }
        area = mmap(size);
        areaSize = size;
        buffer = area.getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The event ring (kernel to user), as its consumer. */
    public SharedRingReader events() {
        requireArea();
        int capacity = buffer.getInt(LoreAbi.RING_EVENTS + LoreAbi.RING_CAPACITY);
        return new SharedRingReader(SharedRing.consumer(buffer, LoreAbi.RING_EVENTS,
                (int) buffer.getLong(LoreAbi.SHARED_EVENTS_OFFSET), capacity));
    }

    /** The feed ring (user to kernel), as its producer. */
    public SharedRingWriter feed() {
        requireArea();
        int capacity = buffer.getInt(LoreAbi.RING_FEED + LoreAbi.RING_CAPACITY);
        return new SharedRingWriter(SharedRing.producer(buffer, LoreAbi.RING_FEED,
                (int) buffer.getLong(LoreAbi.SHARED_FEED_OFFSET), capacity));
    }

    public void start(int mode, int events) {
        Memory m = new Memory(LoreAbi.CAPTURE_SIZE);
        m.setInt(0, mode);
        m.setInt(4, events);
        ioctl(LoreAbi.IOC_START, m, "LORE_IOC_START");
    }

    public void stop() {
        ioctl(LoreAbi.IOC_STOP, null, "LORE_IOC_STOP");
    }

    public void detach() {
        ioctl(LoreAbi.IOC_DETACH, null, "LORE_IOC_DETACH");
    }

    public KernelStats stats() {
        Memory m = new Memory(LoreAbi.STATS_SIZE);
        m.clear();
        ioctl(LoreAbi.IOC_STATS, m, "LORE_IOC_STATS");
        return KernelStats.read(m);
    }

    /** Sends the branch-overflow notification now, as a counter overflow would (kicks the vCPU). */
    public void notifyBranch() {
        ioctl(LoreAbi.IOC_BRANCH_NOTIFY, null, "LORE_IOC_BRANCH_NOTIFY");
    }

    /**
     * Arms the guest branch counter (call on the vCPU thread) to stop {@code margin} branches
     * before {@code target}; {@code config} is the raw PMU event (see BranchEvent).
     */
    public void armBranch(long config, long target, long margin) {
        Memory m = new Memory(LoreAbi.BRANCH_ARM_SIZE);
        m.clear();
        m.setLong(0, config);
        m.setLong(8, target);
        m.setLong(16, margin);
        ioctl(LoreAbi.IOC_BRANCH_ARM, m, "LORE_IOC_BRANCH_ARM");
    }

    public long readBranch() {
        Memory m = new Memory(8);
        ioctl(LoreAbi.IOC_BRANCH_READ, m, "LORE_IOC_BRANCH_READ");
        return m.getLong(0);
    }

    @Override
    public void close() {
        if (area != null) {
            munmap(area, areaSize);
            area = null;
            buffer = null;
        }
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            // closing cannot fail in a way we could act on
        }
    }

    private void requireArea() {
        if (buffer == null) {
            throw new KmodException("not attached to a VM");
        }
    }

    private void ioctl(NativeLong request, Pointer arg, String name) {
        try {
            LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KmodException(name + " failed: " + LibC.strerror(e.getErrorCode()), e.getErrorCode());
        }
    }

    private Pointer mmap(long size) {
        try {
            return LibC.mmap(null, new NativeLong(size), LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_SHARED, fd, new NativeLong(0));
        } catch (LastErrorException e) {
            throw new KmodException("mapping /dev/lore failed: " + LibC.strerror(e.getErrorCode()), e.getErrorCode());
        }
    }

    private static void munmap(Pointer p, long size) {
        try {
            LibC.munmap(p, new NativeLong(size));
        } catch (LastErrorException e) {
            // nothing left to do
        }
    }
}
