package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** The KVM subsystem ({@code /dev/kvm}): capability queries and VM creation. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";
    private static final int API_VERSION = 12;

    public static final int CAP_USER_MEMORY = 3;
    public static final int CAP_EXT_CPUID = 7;
    public static final int CAP_SET_GUEST_DEBUG = 23;
    public static final int CAP_VCPU_EVENTS = 41;
    public static final int CAP_DEBUGREGS = 50;
    public static final int CAP_XSAVE = 55;
    public static final int CAP_XCRS = 56;
    public static final int CAP_SYNC_REGS = 74;
    public static final int CAP_IMMEDIATE_EXIT = 136;

    private final int fd;
    private final int vcpuMmapSize;

    private Kvm(int fd) {
        this.fd = fd;
        try {
            int version = ioctl(Ioctls.GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (version != API_VERSION) {
                throw new KvmException("unsupported KVM API version " + version + " (LoRe needs " + API_VERSION + ")");
            }
            require(CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY");
            require(CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID");
            this.vcpuMmapSize = ioctl(Ioctls.GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
        } catch (KvmException e) {
            closeQuietly(fd); // not a usable KVM: do not leak the descriptor
            throw e;
        }
    }

    /** Opens {@code /dev/kvm}, translating the usual failures into advice a user can act on. */
    public static Kvm open() {
        return open(DEVICE);
    }

    /** Opens a KVM device at {@code path} (tests point it at files that are not KVM). */
    static Kvm open(String path) {
        try {
            return new Kvm(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            switch (e.getErrorCode()) {
                case 2: // ENOENT
                    throw new KvmException(path + " does not exist: this host has no KVM "
                            + "(enable virtualization, or load the kvm module)", 2);
                case 13: // EACCES
                case 1: // EPERM
                    throw new KvmException("no permission to open " + path
                            + ": run as root or add your user to the 'kvm' group", e.getErrorCode());
                default:
                    throw KvmException.of("open " + path, e);
            }
        }
    }

    public int checkExtension(int capability) {
        try {
            return LibC.ioctl(fd, Ioctls.CHECK_EXTENSION, capability);
        } catch (LastErrorException e) {
            return 0;
        }
    }

    private void require(int capability, String name) {
        if (checkExtension(capability) <= 0) {
            throw new KvmException("this KVM lacks " + name + ", which LoRe needs");
        }
    }

    /** The CPUID leaves KVM can virtualize on this host, as a starting point for the guest's. */
    public Cpuid supportedCpuid() {
        int max = 256;
        Memory buf = new Memory(8 + (long) max * Layouts.CPUID_ENTRY_SIZE);
        buf.clear();
        buf.setInt(0, max);
        try {
            LibC.ioctl(fd, Ioctls.GET_SUPPORTED_CPUID, buf);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_GET_SUPPORTED_CPUID", e);
        }
        return Cpuid.read(buf);
    }

    public KvmVm createVm() {
        return new KvmVm(this, ioctl(Ioctls.CREATE_VM, 0, "KVM_CREATE_VM"));
    }

    int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    private int ioctl(com.sun.jna.NativeLong request, long arg, String name) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw KvmException.of(name, e);
        }
    }

    static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the descriptor is gone either way
        }
    }

    @Override
    public void close() {
        closeQuietly(fd);
    }

    static Pointer nullPointer() {
        return Pointer.NULL;
    }
}
