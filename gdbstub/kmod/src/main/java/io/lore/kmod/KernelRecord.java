package io.lore.kmod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One struct lore_record: what the module saw (kind, flags, vCPU, a 32-bit argument such as
 * a port or vector, the VM's exit count at the time, an address or RIP, a value).
 */
public record KernelRecord(int kind, int flags, int vcpu, long arg, long exits, long addr, long value) {
    /** Reads the record at {@code offset} of a little-endian buffer. */
    static KernelRecord read(ByteBuffer b, int offset) {
        ByteBuffer l = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new KernelRecord(l.get(offset) & 0xff, l.get(offset + 1) & 0xff, l.getShort(offset + 2) & 0xffff,
                l.getInt(offset + 4) & 0xffffffffL, l.getLong(offset + 8), l.getLong(offset + 16), l.getLong(offset + 24));
    }

    /** Writes this record at {@code offset}. */
    void write(ByteBuffer b, int offset) {
        ByteBuffer l = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        l.put(offset, (byte) kind).put(offset + 1, (byte) flags).putShort(offset + 2, (short) vcpu)
                .putInt(offset + 4, (int) arg).putLong(offset + 8, exits).putLong(offset + 16, addr)
                .putLong(offset + 24, value);
    }

    /** A replay value for the feed ring: returned by the next RDTSC, expected at {@code rip}. */
    public static KernelRecord tscFeed(long value, long rip) {
        return new KernelRecord(LoreAbi.REC_TSC_FEED, 0, 0, 0, 0, rip, value);
    }

    public boolean isTsc() {
        return kind == LoreAbi.REC_TSC;
    }
}
