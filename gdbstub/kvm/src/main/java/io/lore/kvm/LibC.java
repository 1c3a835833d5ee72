package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls KVM needs, bound with JNA direct mapping: a direct call costs a fraction
 * of a microsecond, which matters because {@code ioctl(KVM_RUN)} is on every VM exit.
 */
final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {}

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final int SIG_BLOCK = 0;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final long SYS_gettid = 186;
    static final long SYS_tgkill = 234;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    static native Pointer mmap(Pointer addr, NativeLong length, int prot, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    static native int munmap(Pointer addr, NativeLong length) throws LastErrorException;

    static native int madvise(Pointer addr, NativeLong length, int advice) throws LastErrorException;

    static native long syscall(long number, long a, long b, long c) throws LastErrorException;

    static native int getpid();

    static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout) throws LastErrorException;

    static native String strerror(int errnum);

    static final Pointer MAP_FAILED = new Pointer(-1);
}
