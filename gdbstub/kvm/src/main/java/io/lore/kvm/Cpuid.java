package io.lore.kvm;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A CPUID table (struct kvm_cpuid2 entries): the guest's view of the processor. */
public final class Cpuid {
    /** One leaf/subleaf; registers are mutable so a machine can hide features. */
    public static final class Entry {
        public final int function;
        public final int index;
        public final int flags;
        public int eax, ebx, ecx, edx;

        public Entry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
            this.function = function;
            this.index = index;
            this.flags = flags;
            this.eax = eax;
            this.ebx = ebx;
            this.ecx = ecx;
            this.edx = edx;
        }
    }

    private final List<Entry> entries;

    public Cpuid(List<Entry> entries) {
        this.entries = new ArrayList<>(entries);
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public void removeIf(java.util.function.Predicate<Entry> filter) {
        entries.removeIf(filter);
    }

    /** Every entry for {@code function} (all subleaves). */
    public List<Entry> find(int function) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.function == function) {
                out.add(e);
            }
        }
        return out;
    }

    static Cpuid read(Memory buf) {
        int n = buf.getInt(0);
        List<Entry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = 8 + (long) i * Layouts.CPUID_ENTRY_SIZE;
            list.add(new Entry(buf.getInt(o), buf.getInt(o + 4), buf.getInt(o + 8), buf.getInt(o + 12),
                    buf.getInt(o + 16), buf.getInt(o + 20), buf.getInt(o + 24)));
        }
        return new Cpuid(list);
    }

    Memory toNative() {
        Memory buf = new Memory(8 + (long) entries.size() * Layouts.CPUID_ENTRY_SIZE);
        buf.clear();
        buf.setInt(0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long o = 8 + (long) i * Layouts.CPUID_ENTRY_SIZE;
            buf.setInt(o, e.function);
            buf.setInt(o + 4, e.index);
            buf.setInt(o + 8, e.flags);
            buf.setInt(o + 12, e.eax);
            buf.setInt(o + 16, e.ebx);
            buf.setInt(o + 20, e.ecx);
            buf.setInt(o + 24, e.edx);
        }
        return buf;
    }
}
