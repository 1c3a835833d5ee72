package io.lore.kvm;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/** A segment register's hidden state (struct kvm_segment). */
public final class Segment {
    public long base;
    public int limit;
    public int selector;
    public int type;
    public boolean present, s, l, g, avl, unusable, db;
    public int dpl;

    public Segment() {}

    public Segment(long base, int limit, int selector, int type, boolean s, boolean db, boolean l, boolean g) {
        this.base = base;
        this.limit = limit;
        this.selector = selector;
        this.type = type;
        this.present = true;
        this.s = s;
        this.db = db;
        this.l = l;
        this.g = g;
    }

    /** From a little-endian view of native memory: plain reads, no native call per field. */
    void load(ByteBuffer p, int o) {
        base = p.getLong(o);
        limit = p.getInt(o + 8);
        selector = p.getShort(o + 12) & 0xffff;
        type = p.get(o + 14) & 0xff;
        present = p.get(o + 15) != 0;
        dpl = p.get(o + 16) & 0xff;
        db = p.get(o + 17) != 0;
        s = p.get(o + 18) != 0;
        l = p.get(o + 19) != 0;
        g = p.get(o + 20) != 0;
        avl = p.get(o + 21) != 0;
        unusable = p.get(o + 22) != 0;
    }

    void store(Pointer p, long o) {
        p.setLong(o, base);
        p.setInt(o + 8, limit);
        p.setShort(o + 12, (short) selector);
        p.setByte(o + 14, (byte) type);
        p.setByte(o + 15, (byte) (present ? 1 : 0));
        p.setByte(o + 16, (byte) dpl);
        p.setByte(o + 17, (byte) (db ? 1 : 0));
        p.setByte(o + 18, (byte) (s ? 1 : 0));
        p.setByte(o + 19, (byte) (l ? 1 : 0));
        p.setByte(o + 20, (byte) (g ? 1 : 0));
        p.setByte(o + 21, (byte) (avl ? 1 : 0));
        p.setByte(o + 22, (byte) (unusable ? 1 : 0));
        p.setByte(o + 23, (byte) 0);
    }

    @Override
    public String toString() {
        return String.format("sel=%04x base=%x limit=%x type=%x%s%s%s", selector, base, limit, type,
                l ? " L" : "", db ? " D" : "", present ? "" : " !P");
    }
}
