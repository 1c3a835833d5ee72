package io.lore.kmod;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The libc calls /dev/lore needs (JNA direct mapping, as the KVM bindings do). */
final class KmodLibC {
    static {
        Native.register("c");
    }

    private KmodLibC() {}

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int ENOTTY = 25;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    static native Pointer mmap(Pointer addr, NativeLong length, int prot, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    static native int munmap(Pointer addr, NativeLong length) throws LastErrorException;

    static native String strerror(int errnum);
}
