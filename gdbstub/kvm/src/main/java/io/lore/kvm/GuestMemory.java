package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Guest RAM: one anonymous host mapping, guest-physical address 0 at offset 0. Bounds are
 * checked here so a bad guest address or a malformed boot image becomes an exception, never a
 * JVM crash.
 */
public final class GuestMemory implements AutoCloseable {
    private final Pointer base;
    private final long size;
    private boolean closed;

    public GuestMemory(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB: " + size);
        }
        try {
            this.base = LibC.mmap(null, new NativeLong(size), LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, new NativeLong(0));
        } catch (LastErrorException e) {
            throw KvmException.of("mmap of " + (size >> 20) + " MiB guest memory", e);
        }
        this.size = size;
    }

    public long size() {
        return size;
    }

    long hostAddress() {
        return Pointer.nativeValue(base);
    }

    public boolean contains(long gpa, long length) {
        return gpa >= 0 && length >= 0 && gpa <= size && length <= size - gpa;
    }

    private void check(long gpa, long length) {
        if (closed) {
            throw new IllegalStateException("guest memory is closed");
        }
        if (!contains(gpa, length)) {
            throw new IndexOutOfBoundsException(String.format(
                    "guest-physical range 0x%x+0x%x is outside guest memory (0x%x bytes)", gpa, length, size));
        }
    }

    public void write(long gpa, byte[] data, int offset, int length) {
        check(gpa, length);
        base.write(gpa, data, offset, length);
    }

    public void write(long gpa, byte[] data) {
        write(gpa, data, 0, data.length);
    }

    public void read(long gpa, byte[] into, int offset, int length) {
        check(gpa, length);
        base.read(gpa, into, offset, length);
    }

    public byte[] read(long gpa, int length) {
        byte[] out = new byte[length];
        read(gpa, out, 0, length);
        return out;
    }

    public byte readByte(long gpa) { check(gpa, 1); return base.getByte(gpa); }
    public short readShort(long gpa) { check(gpa, 2); return base.getShort(gpa); }
    public int readInt(long gpa) { check(gpa, 4); return base.getInt(gpa); }
    public long readLong(long gpa) { check(gpa, 8); return base.getLong(gpa); }
    public void writeByte(long gpa, int v) { check(gpa, 1); base.setByte(gpa, (byte) v); }
    public void writeShort(long gpa, int v) { check(gpa, 2); base.setShort(gpa, (short) v); }
    public void writeInt(long gpa, int v) { check(gpa, 4); base.setInt(gpa, v); }
    public void writeLong(long gpa, long v) { check(gpa, 8); base.setLong(gpa, v); }

    public void fill(long gpa, long length, byte value) {
        check(gpa, length);
        base.setMemory(gpa, length, value);
    }

    /** A direct view of part of guest memory, for bulk work such as hashing (no copy). */
    public java.nio.ByteBuffer buffer(long gpa, int length) {
        check(gpa, length);
        return base.getByteBuffer(gpa, length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.munmap(base, new NativeLong(size));
            } catch (LastErrorException ignored) {
                // unmapping can only fail for a bad range, which cannot happen here
            }
        }
    }
}
