package io.lore.replay;

import io.lore.kvm.GuestMemory;
import io.lore.replay.checkpoint.DirtyPageTracker;
import java.util.zip.CRC32C;

/**
 * A 64-bit digest of all guest memory, kept up to date incrementally: KVM's dirty log says
 * which pages changed since the last look, and only those are hashed again. The digest is a
 * sum of per-page values, so replacing one page's value is O(1).
 */
public final class MemoryDigest {
    private static final int PAGE = 4096;

    private final DirtyPageTracker.Consumer dirty;
    private final long[] scratch;
    private final GuestMemory memory;
    private final int pages;
    private final long[] pageValue;
    private final CRC32C crc = new CRC32C();
    private long digest;
    private long pagesHashed;

    public MemoryDigest(DirtyPageTracker tracker, GuestMemory memory) {
        this.memory = memory;
        this.pages = (int) (memory.size() / PAGE);
        this.pageValue = new long[pages];
        this.dirty = tracker.register("memory digest"); // from here on; everything is hashed below
        this.scratch = new long[tracker.words()];
        for (int p = 0; p < pages; p++) {
            pageValue[p] = hash(p);
            digest += pageValue[p];
        }
    }

    /** The digest of memory as it is now. */
    public long current() {
        dirty.takeInto(scratch);
        for (int w = 0; w < scratch.length; w++) {
            long bits = scratch[w];
            while (bits != 0) {
                int p = w * 64 + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (p < pages) {
                    long v = hash(p);
                    digest += v - pageValue[p];
                    pageValue[p] = v;
                }
            }
        }
        return digest;
    }

    /** Pages hashed so far (a cost figure for benchmarks). */
    public long pagesHashed() {
        return pagesHashed;
    }

    private long hash(int page) {
        pagesHashed++;
        crc.reset();
        crc.update(memory.buffer((long) page * PAGE, PAGE));
        return mix(((long) page << 32) ^ crc.getValue());
    }

    /** splitmix64's finaliser: spreads the page number and CRC over all 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
