package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/** A KVM virtual machine: guest memory slots, dirty-page logging, vCPU creation. */
public final class KvmVm implements AutoCloseable {
    public static final int MEM_LOG_DIRTY_PAGES = 1;
    /** Guest writes to the slot exit as MMIO writes (KVM_CAP_READONLY_MEM). */
    public static final int MEM_READONLY = 2;

    private final Kvm kvm;
    private final int fd;

    KvmVm(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /** The VM's file descriptor, for kernel helpers that attach to it (lore.ko's /dev/lore). */
    public int fd() {
        return fd;
    }

    /** Maps {@code memory} at guest-physical {@code gpa} in {@code slot}, optionally logging dirty pages. */
    public void setMemoryRegion(int slot, long gpa, GuestMemory memory, boolean logDirty) {
        setMemoryRegion(slot, gpa, memory, 0, memory.size(), logDirty ? MEM_LOG_DIRTY_PAGES : 0);
    }

    /**
     * Maps bytes {@code [offset, offset + size)} of {@code memory} at guest-physical {@code gpa}
     * in {@code slot} with {@code flags} ({@link #MEM_LOG_DIRTY_PAGES}, {@link #MEM_READONLY});
     * a size of 0 deletes the slot.
     */
    public void setMemoryRegion(int slot, long gpa, GuestMemory memory, long offset, long size, int flags) {
        if (offset < 0 || size < 0 || offset + size > memory.size() || ((offset | size) & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("bad slot range 0x%x+0x%x of 0x%x bytes", offset, size,
                    memory.size()));
        }
        Memory r = new Memory(32);
        r.setInt(0, slot);
        r.setInt(4, flags);
        r.setLong(8, gpa);
        r.setLong(16, size);
        r.setLong(24, memory.hostAddress() + offset);
        try {
            LibC.ioctl(fd, Ioctls.SET_USER_MEMORY_REGION, r);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_SET_USER_MEMORY_REGION", e);
        }
    }

    /**
     * Pages written since the last call (KVM_GET_DIRTY_LOG clears as it reads): one bit per
     * 4 KiB page of the slot, bit i of word w = page 64*w+i.
     */
    public long[] getDirtyLog(int slot, long slotSize) {
        int pages = (int) (slotSize >>> 12);
        int words = (pages + 63) / 64;
        Memory bitmap = new Memory((long) words * 8);
        bitmap.clear();
        Memory arg = new Memory(16);
        arg.setInt(0, slot);
        arg.setInt(4, 0);
        arg.setPointer(8, bitmap);
        try {
            LibC.ioctl(fd, Ioctls.GET_DIRTY_LOG, arg);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_GET_DIRTY_LOG", e);
        }
        return bitmap.getLongArray(0, words);
    }

    public KvmVcpu createVcpu(int id) {
        int vcpuFd;
        try {
            vcpuFd = LibC.ioctl(fd, Ioctls.CREATE_VCPU, id);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_CREATE_VCPU", e);
        }
        return new KvmVcpu(kvm, vcpuFd);
    }

    public Kvm kvm() {
        return kvm;
    }

    @Override
    public void close() {
        Kvm.closeQuietly(fd);
    }
}
