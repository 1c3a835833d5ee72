package io.lore.kvm;

import com.sun.jna.NativeLong;

/** KVM ioctl request numbers, computed as the kernel's _IO/_IOR/_IOW/_IOWR macros do. */
final class Ioctls {
    private Ioctls() {}

    private static final int KVMIO = 0xAE;

    private static NativeLong ioc(int dir, int nr, int size) {
        return new NativeLong(((long) dir << 30) | ((long) size << 16) | (KVMIO << 8) | nr);
    }

    private static NativeLong io(int nr) { return ioc(0, nr, 0); }
    private static NativeLong iow(int nr, int size) { return ioc(1, nr, size); }
    private static NativeLong ior(int nr, int size) { return ioc(2, nr, size); }
    private static NativeLong iowr(int nr, int size) { return ioc(3, nr, size); }

    // system
    static final NativeLong GET_API_VERSION = io(0x00);
    static final NativeLong CREATE_VM = io(0x01);
    static final NativeLong CHECK_EXTENSION = io(0x03);
    static final NativeLong GET_VCPU_MMAP_SIZE = io(0x04);
    static final NativeLong GET_SUPPORTED_CPUID = iowr(0x05, 8);
    // vm
    static final NativeLong CREATE_VCPU = io(0x41);
    static final NativeLong GET_DIRTY_LOG = iow(0x42, 16);
    static final NativeLong SET_USER_MEMORY_REGION = iow(0x46, 32);
    static final NativeLong SET_TSS_ADDR = io(0x47);
    static final NativeLong SET_IDENTITY_MAP_ADDR = iow(0x48, 8);
    // vcpu
    static final NativeLong RUN = io(0x80);
    static final NativeLong GET_REGS = ior(0x81, Layouts.REGS_SIZE);
    static final NativeLong SET_REGS = iow(0x82, Layouts.REGS_SIZE);
    static final NativeLong GET_SREGS = ior(0x83, Layouts.SREGS_SIZE);
    static final NativeLong SET_SREGS = iow(0x84, Layouts.SREGS_SIZE);
    static final NativeLong INTERRUPT = iow(0x86, 4);
    static final NativeLong GET_MSRS = iowr(0x88, 8);
    static final NativeLong SET_MSRS = iow(0x89, 8);
    static final NativeLong SET_SIGNAL_MASK = iow(0x8b, 4);
    static final NativeLong GET_FPU = ior(0x8c, Layouts.FPU_SIZE);
    static final NativeLong SET_FPU = iow(0x8d, Layouts.FPU_SIZE);
    static final NativeLong SET_CPUID2 = iow(0x90, 8);
    static final NativeLong SET_GUEST_DEBUG = iow(0x9b, Layouts.GUEST_DEBUG_SIZE);
    static final NativeLong GET_VCPU_EVENTS = ior(0x9f, Layouts.EVENTS_SIZE);
    static final NativeLong SET_VCPU_EVENTS = iow(0xa0, Layouts.EVENTS_SIZE);
    static final NativeLong GET_DEBUGREGS = ior(0xa1, Layouts.DEBUGREGS_SIZE);
    static final NativeLong SET_DEBUGREGS = iow(0xa2, Layouts.DEBUGREGS_SIZE);
    static final NativeLong GET_XSAVE = ior(0xa4, Layouts.XSAVE_SIZE);
    static final NativeLong SET_XSAVE = iow(0xa5, Layouts.XSAVE_SIZE);
    static final NativeLong GET_XCRS = ior(0xa6, Layouts.XCRS_SIZE);
    static final NativeLong SET_XCRS = iow(0xa7, Layouts.XCRS_SIZE);
}
