package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls LoRe's device bindings need (/dev/kvm here, /dev/lore in io.lore.kmod),
 * bound with JNA direct mapping: a direct call costs a fraction of a microsecond, which matters
 * because {@code ioctl(KVM_RUN)} is on every VM exit.
 */
public final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {}

    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int SIG_BLOCK = 0;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int ENOTTY = 25;
    public static final int EAGAIN = 11;
    public static final long SYS_gettid = 186;
    public static final long SYS_tgkill = 234;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    public static native Pointer mmap(Pointer addr, NativeLong length, int prot, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    public static native int munmap(Pointer addr, NativeLong length) throws LastErrorException;

    public static native int madvise(Pointer addr, NativeLong length, int advice) throws LastErrorException;

    public static native long syscall(long number, long a, long b, long c) throws LastErrorException;

    public static native int getpid();

    public static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    public static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout) throws LastErrorException;

    public static native String strerror(int errnum);

    public static final Pointer MAP_FAILED = new Pointer(-1);
}
