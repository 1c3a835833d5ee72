package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/** A KVM virtual machine: guest memory slots, dirty-page logging, vCPU creation. */
public final class KvmVm implements AutoCloseable {
    public static final int MEM_LOG_DIRTY_PAGES = 1;

    private final Kvm kvm;
    private final int fd;

    KvmVm(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /** Maps {@code memory} at guest-physical {@code gpa} in {@code slot}, optionally logging dirty pages. */
    public void setMemoryRegion(int slot, long gpa, GuestMemory memory, boolean logDirty) {
        Memory r = new Memory(32);
        r.setInt(0, slot);
        r.setInt(4, logDirty ? MEM_LOG_DIRTY_PAGES : 0);
        r.setLong(8, gpa);
        r.setLong(16, memory.size());
        r.setLong(24, memory.hostAddress());
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
