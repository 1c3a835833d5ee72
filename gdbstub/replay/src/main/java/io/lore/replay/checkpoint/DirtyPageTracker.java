package io.lore.replay.checkpoint;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one reader of KVM's dirty log for guest RAM (memory slot 0, guest-physical 0 up to the
 * size of {@link GuestMemory}), shared by everything that needs to know which pages changed.
 *
 * <p>KVM_GET_DIRTY_LOG returns <em>and clears</em> the pages the guest wrote since the previous
 * call, so two components that each call it steal each other's pages. Here every component is a
 * {@link Consumer} with its own accumulated bitmap: {@link #sync()} makes the single ioctl and
 * ORs the result into every consumer; a consumer {@linkplain Consumer#take() takes} (returns and
 * clears) only its own bits. Each consumer therefore sees every page the guest wrote since its
 * own previous take, however the takes of the consumers interleave.
 *
 * <p>KVM logs writes made by the guest (including the ones KVM's instruction emulator makes on its
 * behalf) but not writes made from the host through the memory mapping. Code that writes guest
 * memory from the host while consumers exist (a checkpoint restore) reports the pages with
 * {@link #hostWrote(long[], Consumer)}, which adds them to every other consumer, so for example
 * an incremental memory digest rehashes the pages a restore rewrote.
 *
 * <p>Its consumers: {@code io.lore.replay.MemoryDigest} (the replay's incremental memory hash)
 * and {@link CheckpointStore}.
 *
 * <p>Not thread-safe: use it on the vCPU thread (where the vCPU is not running), like the VM.
 */
public final class DirtyPageTracker {
    /** KVM's dirty-log granularity on x86. */
    public static final int PAGE_SIZE = 4096;
    /** The memory slot that holds all guest RAM (see {@code io.lore.machine.Machine}). */
    public static final int SLOT = 0;

    private final RamSlots slots;
    private final long memorySize;
    private final int pages;
    private final int words;
    private final List<Consumer> consumers = new ArrayList<>();
    private long syncs;

    /**
     * Starts tracking {@code memory}, mapped at guest-physical 0 in slot 0 with dirty logging on.
     * The dirty log is read once and discarded: a new consumer starts from a full look at memory
     * (a digest hashes every page; the first checkpoint copies every page).
     */
    public DirtyPageTracker(KvmVm vm, GuestMemory memory) {
        this.slots = new RamSlots(Objects.requireNonNull(vm, "vm"), memory);
        this.memorySize = memory.size();
        this.pages = (int) (memorySize / PAGE_SIZE);
        this.words = PageBitmap.words(pages);
        slots.readDirtyLog();
    }

    /** The slot layout of guest RAM (holes for watchpoints). */
    public RamSlots slots() {
        return slots;
    }

    /**
     * Traps guest accesses to pages (see {@link RamSlots}): all accesses to {@code holes}, writes
     * to {@code readOnly}; empty sets map all of RAM normally again. The dirty logs are read
     * first, so no written page is forgotten.
     */
    public void setTrapped(java.util.SortedSet<Integer> holes, java.util.SortedSet<Integer> readOnly) {
        sync();
        slots.setTrapped(holes, readOnly);
    }

    /** Makes KVM drop translations derived from guest memory (after the host rewrote pages). */
    public void dropTranslations() {
        sync();
        slots.dropTranslations();
    }

    /** Pages of guest RAM. */
    public int pages() {
        return pages;
    }

    /** Length of the page bitmaps this tracker hands out. */
    public int words() {
        return words;
    }

    /** KVM_GET_DIRTY_LOG calls made so far (a cost figure). */
    public long syncs() {
        return syncs;
    }

    /**
     * A new consumer: it is told of every page the guest writes from now on (and possibly of a
     * few written just before: harmless, dirty sets may over-approximate).
     */
    public Consumer register(String name) {
        sync(); // what the others have not collected yet is not this consumer's business
        Consumer c = new Consumer(name);
        consumers.add(c);
        return c;
    }

    /** Reads KVM's dirty log (clearing it) and adds it to every consumer's pages. */
    public void sync() {
        long[] dirty = slots.readDirtyLog();
        syncs++;
        for (Consumer c : consumers) {
            PageBitmap.or(c.bits, dirty);
        }
    }

    /**
     * The host wrote the pages in {@code pageBitmap} (KVM did not log them): every consumer but
     * {@code writer} (may be null) is told, as if the guest had written them.
     */
    public void hostWrote(long[] pageBitmap, Consumer writer) {
        if (pageBitmap.length != words) {
            throw new IllegalArgumentException("bitmap of " + pageBitmap.length + " words, expected " + words);
        }
        for (Consumer c : consumers) {
            if (c != writer) {
                PageBitmap.or(c.bits, pageBitmap);
            }
        }
    }

    /** The host wrote guest-physical {@code [gpa, gpa + length)}: every consumer is told. */
    public void hostWrote(long gpa, long length) {
        if (gpa < 0 || length < 0 || gpa + length > memorySize) {
            throw new IndexOutOfBoundsException(String.format("0x%x+0x%x is outside guest memory", gpa, length));
        }
        if (length == 0) {
            return;
        }
        long[] bits = new long[words];
        for (long p = gpa / PAGE_SIZE; p <= (gpa + length - 1) / PAGE_SIZE; p++) {
            PageBitmap.set(bits, (int) p);
        }
        hostWrote(bits, null);
    }

    /** One user of the dirty log, with its own accumulated set of written pages. */
    public final class Consumer implements AutoCloseable {
        private final String name;
        private final long[] bits = new long[words];

        private Consumer(String name) {
            this.name = name;
        }

        /** Syncs, then returns the pages written since this consumer's previous take and forgets them. */
        public long[] take() {
            long[] out = new long[words];
            takeInto(out);
            return out;
        }

        /** As {@link #take()}, into a caller's array (no allocation); returns the number of pages. */
        public int takeInto(long[] into) {
            if (into.length != words) {
                throw new IllegalArgumentException("bitmap of " + into.length + " words, expected " + words);
            }
            sync();
            int n = 0;
            for (int w = 0; w < words; w++) {
                into[w] = bits[w];
                n += Long.bitCount(bits[w]);
                bits[w] = 0;
            }
            return n;
        }

        /** Syncs and forgets this consumer's pages (it has just looked at all of memory by other means). */
        public void clear() {
            sync();
            java.util.Arrays.fill(bits, 0);
        }

        /** Pages accumulated so far, without syncing. */
        public int pendingPages() {
            return PageBitmap.count(bits);
        }

        public String name() {
            return name;
        }

        /** Stops accumulating pages for this consumer. */
        @Override
        public void close() {
            consumers.remove(this);
        }

        @Override
        public String toString() {
            return "dirty-page consumer " + name;
        }
    }
}
