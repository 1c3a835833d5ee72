package io.lore.kvm;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/** Special registers (struct kvm_sregs): segments, descriptor tables, control registers, EFER. */
public final class Sregs {
    public final Segment cs = new Segment(), ds = new Segment(), es = new Segment(), fs = new Segment(),
            gs = new Segment(), ss = new Segment(), tr = new Segment(), ldt = new Segment();
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    public final long[] interruptBitmap = new long[4];

    /** In struct kvm_sregs order. */
    private final Segment[] segments = {cs, ds, es, fs, gs, ss, tr, ldt};

    /**
     * From a little-endian view of a struct kvm_sregs: plain reads (the replay reads the run
     * area's copy after every breakpoint hit; a native call per field cost microseconds).
     */
    void load(ByteBuffer p) {
        for (int i = 0; i < segments.length; i++) {
            segments[i].load(p, i * Layouts.SEGMENT_SIZE);
        }
        int o = 8 * Layouts.SEGMENT_SIZE;
        gdtBase = p.getLong(o);
        gdtLimit = p.getShort(o + 8) & 0xffff;
        idtBase = p.getLong(o + 16);
        idtLimit = p.getShort(o + 24) & 0xffff;
        o += 2 * Layouts.DTABLE_SIZE;
        cr0 = p.getLong(o);
        cr2 = p.getLong(o + 8);
        cr3 = p.getLong(o + 16);
        cr4 = p.getLong(o + 24);
        cr8 = p.getLong(o + 32);
        efer = p.getLong(o + 40);
        apicBase = p.getLong(o + 48);
        for (int i = 0; i < 4; i++) {
            interruptBitmap[i] = p.getLong(o + 56 + 8 * i);
        }
    }

    void store(Pointer p) {
        p.clear(Layouts.SREGS_SIZE);
        Segment[] segs = segments;
        for (int i = 0; i < segs.length; i++) {
            segs[i].store(p, (long) i * Layouts.SEGMENT_SIZE);
        }
        long o = 8L * Layouts.SEGMENT_SIZE;
        p.setLong(o, gdtBase);
        p.setShort(o + 8, (short) gdtLimit);
        p.setLong(o + 16, idtBase);
        p.setShort(o + 24, (short) idtLimit);
        o += 2 * Layouts.DTABLE_SIZE;
        p.setLong(o, cr0);
        p.setLong(o + 8, cr2);
        p.setLong(o + 16, cr3);
        p.setLong(o + 24, cr4);
        p.setLong(o + 32, cr8);
        p.setLong(o + 40, efer);
        p.setLong(o + 48, apicBase);
        p.write(o + 56, interruptBitmap, 0, 4);
    }

    @Override
    public String toString() {
        return String.format("cr0=%x cr2=%x cr3=%x cr4=%x efer=%x%n cs: %s%n ss: %s%n gdt=%x/%x idt=%x/%x",
                cr0, cr2, cr3, cr4, efer, cs, ss, gdtBase, gdtLimit, idtBase, idtLimit);
    }
}
