package io.lore.replay.checkpoint;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Kvm;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.KvmVm;
import io.lore.machine.Machine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Whole-machine checkpoints of one single-vCPU VM, with incremental memory: the foundation of
 * reverse execution (restore the nearest checkpoint before a target, replay forward to it).
 *
 * <h2>Memory</h2>
 * For every page the store keeps a list of versions, (checkpoint, content), ordered by the
 * checkpoints' positions; the content of a page at checkpoint {@code c} is the latest version at
 * or before {@code c}, and a page with no such version is zero. The first checkpoint stores every
 * non-zero page; each later one stores the pages the guest wrote since its <em>base</em> — the
 * checkpoint last taken or restored — from KVM's dirty log (through a {@link DirtyPageTracker}),
 * copied. A page written back to zero costs no bytes.
 *
 * <p>{@link #restore} rewrites only pages that may differ between now and the target: the pages
 * the guest wrote since the base, plus the pages held by checkpoints between the base and the
 * target (either direction); of those, only pages whose content actually differs are written,
 * and they are reported to the tracker's other consumers (a memory digest), since KVM does not
 * log host writes. The restored checkpoint becomes the base and the store's dirty set is empty.
 *
 * <p>Taking a checkpoint after restoring an earlier one (the debugger went back, then forward
 * again) inserts it between existing ones. That is exact because replay is deterministic: the
 * machine state at a position does not depend on how it was reached, so a page the new
 * checkpoint does not hold has the same content at the new checkpoint as at its base. A take at
 * the position of an existing checkpoint returns that one (after checking that the vCPU state
 * agrees) and makes it the base.
 *
 * <h2>Budget and eviction</h2>
 * {@link #bytesHeld()} counts page contents, vCPU states and bookkeeping. When it exceeds
 * {@link #budget()}, checkpoints are evicted one at a time, always the one whose removal leaves
 * the smallest gap between its neighbours' positions, so the remaining ones stay spread over the
 * whole history; never the first, the last or the current base. Removing a checkpoint hands the
 * page versions its successor still needs (those the successor does not hold itself) to the
 * successor, so every remaining checkpoint restores exactly as before.
 *
 * <h2>KVM's cached translations</h2>
 * Restored pages are written from the host, which KVM's shadow MMU (this host's KVM uses shadow
 * paging for the guest's native CPL3 code) and the guest TLB do not notice; a restored page table
 * could then be shadowed by stale translations. Unless {@link #setResetTranslations turned off},
 * a restore that rewrote pages moves memory slot 0 away and back (two
 * KVM_SET_USER_MEMORY_REGION calls), which makes KVM drop every shadow page and translation
 * (it keeps the dirty bitmap). Guest CPL0 code on this host is emulated with a software page
 * walk and is not affected either way.
 *
 * <p>Positions are opaque, increasing longs (exit ordinals, instruction positions). Use the store
 * on the vCPU thread, with the vCPU stopped at an exit that the run loop has fully handled (for
 * a take from a {@code LoopObserver}: in {@code afterExit}). Devices are not part of a checkpoint:
 * during replay they answer from the log.
 */
public final class CheckpointStore implements AutoCloseable {
    private static final int PAGE = DirtyPageTracker.PAGE_SIZE;
    /** Estimated heap bytes per page version beyond its content: list slots, array header, page index. */
    static final int VERSION_OVERHEAD = 40;
    /** Estimated heap bytes per checkpoint beyond its vCPU state and versions. */
    static final int CHECKPOINT_OVERHEAD = 200;
    private static final int PAGES_PER_VIEW = 1 << 18; // 1 GiB per direct view of guest memory
    private static final byte[] ZERO_PAGE = new byte[PAGE];
    private static final ByteBuffer ZERO = ByteBuffer.wrap(ZERO_PAGE).asReadOnlyBuffer();

    private final KvmVcpu vcpu;
    private final GuestMemory memory;
    private final DirtyPageTracker tracker;
    private final DirtyPageTracker.Consumer dirty;
    private final VcpuStateSupport support;
    private final ByteBuffer[] views;
    private final int pages;
    private final Versions[] versions;
    private final TreeMap<Long, Checkpoint> byPosition = new TreeMap<>();
    private Checkpoint first;
    private Checkpoint base;
    private long nextId;
    private long budget = Long.MAX_VALUE;
    private long bytesHeld;
    private long evictions;
    private long versionsHandedOn;
    private boolean resetTranslations = true;
    private boolean closed;

    /**
     * How a restore went: pages the guest had written since the base, pages compared, pages
     * rewritten (also as a page bitmap; the tracker's other consumers were told of them) and the
     * time it took.
     */
    public record Restored(Checkpoint checkpoint, int guestDirtyPages, int pagesExamined, int pagesRewritten,
            long[] rewrittenPages, long nanos) {}

    public CheckpointStore(Machine machine, DirtyPageTracker tracker) {
        this(machine.kvm(), machine.vm(), machine.vcpu(), machine.memory(), tracker);
    }

    /**
     * A store for the VM whose RAM is {@code memory} in slot 0 at guest-physical 0, with dirty
     * logging on; {@code kvm} (may be null) is asked which vCPU state parts it supports.
     */
    public CheckpointStore(Kvm kvm, KvmVm vm, KvmVcpu vcpu, GuestMemory memory, DirtyPageTracker tracker) {
        if (tracker.pages() != memory.size() / PAGE) {
            throw new IllegalArgumentException("the tracker covers " + tracker.pages() + " pages, memory has "
                    + memory.size() / PAGE);
        }
        this.vcpu = vcpu;
        this.memory = memory;
        this.tracker = tracker;
        this.pages = tracker.pages();
        this.versions = new Versions[pages];
        this.views = new ByteBuffer[(pages + PAGES_PER_VIEW - 1) / PAGES_PER_VIEW];
        for (int i = 0; i < views.length; i++) {
            long gpa = (long) i * PAGES_PER_VIEW * PAGE;
            views[i] = memory.buffer(gpa, (int) Math.min((long) PAGES_PER_VIEW * PAGE, memory.size() - gpa));
        }
        this.support = VcpuStateSupport.probe(kvm, vcpu);
        this.dirty = tracker.register("checkpoints");
    }

    /** What the store saves of the vCPU on this KVM. */
    public VcpuStateSupport vcpuSupport() {
        return support;
    }

    /**
     * Checkpoints the machine as it is now, at {@code position} (not before the base's). The
     * first checkpoint copies every non-zero page; later ones the pages written since the base.
     */
    public Checkpoint take(long position) {
        checkOpen();
        if (base != null && position < base.position()) {
            throw new IllegalArgumentException("position " + position + " is before the current base, " + base
                    + ": the machine only runs forward from a checkpoint");
        }
        VcpuState.completePendingExit(vcpu); // may write memory (string IN): before reading the dirty log
        Checkpoint existing = byPosition.get(position);
        if (existing != null) {
            List<String> diff = VcpuState.read(vcpu, support).differences(existing.vcpuState(),
                    VcpuStateSupport.MSR_IA32_TSC);
            if (!diff.isEmpty()) {
                throw new IllegalStateException("the vCPU at position " + position + " is not as " + existing
                        + " saved it (replay diverged?): " + diff);
            }
            dirty.clear();
            base = existing;
            return existing;
        }
        int[] held;
        if (first == null) {
            dirty.clear();
            held = nonZeroPages();
        } else {
            held = PageBitmap.toPages(dirty.take(), pages);
        }
        Checkpoint c = new Checkpoint(nextId++, position, VcpuState.read(vcpu, support));
        for (int p : held) {
            ByteBuffer pg = page(p);
            byte[] content = null;
            if (pg.mismatch(ZERO) != -1) {
                content = new byte[PAGE];
                pg.get(0, content);
                c.pageBytes += PAGE;
            }
            Versions v = versions[p];
            if (v == null) {
                v = versions[p] = new Versions();
            }
            v.insert(c, content);
        }
        c.pages = held;
        byPosition.put(position, c);
        bytesHeld += bytesOf(c);
        if (first == null) {
            first = c;
        }
        base = c;
        enforceBudget();
        return c;
    }

    /**
     * Brings memory and the vCPU back to {@code target} exactly; it becomes the base. Only pages
     * that may differ are looked at and only those that do differ are written (and reported to
     * the tracker's other consumers).
     */
    public Restored restore(Checkpoint target) {
        checkOpen();
        if (!target.isLive() || byPosition.get(target.position()) != target) {
            throw new IllegalArgumentException(target + " is not held by this store");
        }
        long start = System.nanoTime();
        VcpuState.completePendingExit(vcpu);
        long[] candidates = dirty.take(); // the guest's writes since the base
        int guestDirty = PageBitmap.count(candidates);
        long lo = Math.min(base.position(), target.position());
        long hi = Math.max(base.position(), target.position());
        for (Checkpoint c : byPosition.subMap(lo, false, hi, true).values()) {
            for (int p : c.pages) {
                PageBitmap.set(candidates, p);
            }
        }
        long[] rewritten = new long[candidates.length];
        int examined = 0;
        int written = 0;
        for (int w = 0; w < candidates.length; w++) {
            long bits = candidates[w];
            while (bits != 0) {
                int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (p >= pages) {
                    break;
                }
                examined++;
                byte[] want = contentAt(p, target.position());
                ByteBuffer pg = page(p);
                if (pg.mismatch(want == null ? ZERO : ByteBuffer.wrap(want)) != -1) {
                    pg.put(0, want == null ? ZERO_PAGE : want);
                    PageBitmap.set(rewritten, p);
                    written++;
                }
            }
        }
        if (written > 0) {
            tracker.hostWrote(rewritten, dirty);
            if (resetTranslations) {
                dropTranslations();
            }
        }
        target.vcpuState().restore(vcpu);
        base = target;
        return new Restored(target, guestDirty, examined, written, rewritten, System.nanoTime() - start);
    }

    /** The content of page {@code p} at {@code position}: null for a zero page. */
    private byte[] contentAt(int p, long position) {
        Versions v = versions[p];
        if (v == null) {
            return null;
        }
        int i = v.floor(position);
        return i < 0 ? null : v.data[i];
    }

    /**
     * Makes KVM forget every translation and shadow page it derived from guest page tables, by
     * moving slot 0 away and back (a KVM_MR_MOVE flushes the slot's shadow pages); the dirty log
     * is read first, so nothing the guest wrote is lost whatever KVM does with the bitmap.
     */
    private void dropTranslations() {
        tracker.dropTranslations();
    }

    /** The latest checkpoint at or before {@code position}, or null. */
    public Checkpoint floor(long position) {
        Map.Entry<Long, Checkpoint> e = byPosition.floorEntry(position);
        return e == null ? null : e.getValue();
    }

    /** The checkpoint at exactly {@code position}, or null. */
    public Checkpoint at(long position) {
        return byPosition.get(position);
    }

    public Checkpoint first() {
        return first;
    }

    public Checkpoint last() {
        return byPosition.isEmpty() ? null : byPosition.lastEntry().getValue();
    }

    /** The checkpoint last taken or restored: later takes store the pages written since it. */
    public Checkpoint base() {
        return base;
    }

    /** The live checkpoints in position order. */
    public List<Checkpoint> checkpoints() {
        return new ArrayList<>(byPosition.values());
    }

    public int size() {
        return byPosition.size();
    }

    /** Bytes held by all checkpoints (page contents, vCPU states, bookkeeping estimate). */
    public long bytesHeld() {
        return bytesHeld;
    }

    /** Page versions held by all checkpoints. */
    public long pagesHeld() {
        long n = 0;
        for (Checkpoint c : byPosition.values()) {
            n += c.pages.length;
        }
        return n;
    }

    public long budget() {
        return budget;
    }

    /** Sets the memory budget and evicts down to it now; Long.MAX_VALUE means none. */
    public void setBudget(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("budget must be positive: " + bytes);
        }
        this.budget = bytes;
        enforceBudget();
    }

    /** Checkpoints evicted or removed so far. */
    public long evictions() {
        return evictions;
    }

    /** Page versions that evictions handed on to the next checkpoint (a statistic). */
    public long versionsHandedOn() {
        return versionsHandedOn;
    }

    /** Whether a restore that rewrote pages makes KVM drop its cached translations (default on). */
    public void setResetTranslations(boolean on) {
        this.resetTranslations = on;
    }

    /**
     * Removes {@code c}, handing the page versions its successor needs to the successor. The
     * first checkpoint and the base cannot be removed.
     */
    public void remove(Checkpoint c) {
        checkOpen();
        if (!c.isLive() || byPosition.get(c.position()) != c) {
            throw new IllegalArgumentException(c + " is not held by this store");
        }
        if (c == first || c == base) {
            throw new IllegalArgumentException("cannot remove " + (c == first ? "the first checkpoint" : "the base") + ": " + c);
        }
        evict(c);
    }

    private void enforceBudget() {
        while (bytesHeld > budget) {
            Checkpoint victim = victim();
            if (victim == null) {
                return; // only the first, the last and the base are left
            }
            evict(victim);
        }
    }

    /** The checkpoint whose removal leaves the smallest gap; not the first, the last or the base. */
    private Checkpoint victim() {
        Checkpoint best = null;
        long bestGap = Long.MAX_VALUE;
        Checkpoint prev = null;
        Checkpoint cur = null;
        for (Checkpoint next : byPosition.values()) {
            if (prev != null && cur != base) {
                long gap = next.position() - prev.position();
                if (gap < 0) {
                    gap = Long.MAX_VALUE; // overflowed: positions far apart
                }
                if (gap < bestGap) {
                    bestGap = gap;
                    best = cur;
                }
            }
            prev = cur;
            cur = next;
        }
        return best;
    }

    private void evict(Checkpoint c) {
        NavigableMap<Long, Checkpoint> after = byPosition.tailMap(c.position(), false);
        Checkpoint succ = after.isEmpty() ? null : after.firstEntry().getValue();
        bytesHeld -= bytesOf(c);
        if (succ != null) {
            bytesHeld -= bytesOf(succ);
        }
        int[] moved = new int[c.pages.length];
        int nMoved = 0;
        for (int p : c.pages) {
            Versions v = versions[p];
            int i = v.indexOf(c);
            if (succ == null || (i + 1 < v.n && v.owners[i + 1] == succ)) {
                v.remove(i); // nobody after c needs it: the successor has its own version
                if (v.n == 0) {
                    versions[p] = null;
                }
            } else {
                v.owners[i] = succ; // the successor's content of p was c's version
                moved[nMoved++] = p;
                versionsHandedOn++;
                if (v.data[i] != null) {
                    succ.pageBytes += PAGE;
                }
            }
        }
        if (succ != null) {
            succ.pages = merge(succ.pages, moved, nMoved);
            bytesHeld += bytesOf(succ);
        }
        byPosition.remove(c.position());
        c.live = false;
        c.pages = new int[0];
        c.pageBytes = 0;
        evictions++;
    }

    private static int[] merge(int[] a, int[] b, int nb) {
        int[] out = new int[a.length + nb];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < nb) {
            if (j >= nb || (i < a.length && a[i] < b[j])) {
                out[k++] = a[i++];
            } else {
                out[k++] = b[j++];
            }
        }
        return out;
    }

    static long bytesOf(Checkpoint c) {
        return c.live ? c.pageBytes + (long) c.pages.length * VERSION_OVERHEAD + c.vcpuState().sizeBytes()
                + CHECKPOINT_OVERHEAD : 0;
    }

    private int[] nonZeroPages() {
        int[] out = new int[256];
        int n = 0;
        for (int p = 0; p < pages; p++) {
            if (page(p).mismatch(ZERO) != -1) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = p;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** A view of page {@code p} of guest memory (no copy). */
    private ByteBuffer page(int p) {
        return views[p / PAGES_PER_VIEW].slice((p % PAGES_PER_VIEW) * PAGE, PAGE);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the checkpoint store is closed");
        }
    }

    /** Drops every checkpoint and stops reading the dirty log. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dirty.close();
            for (Checkpoint c : byPosition.values()) {
                c.live = false;
            }
            byPosition.clear();
            Arrays.fill(versions, null);
            bytesHeld = 0;
        }
    }

    /** The versions of one page, ordered by their checkpoints' positions. */
    private static final class Versions {
        Checkpoint[] owners = new Checkpoint[2];
        byte[][] data = new byte[2][];
        int n;

        /** Index of the latest version at or before {@code position}, or -1. */
        int floor(long position) {
            int lo = 0;
            int hi = n - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (owners[mid].position() <= position) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }

        int indexOf(Checkpoint c) {
            int i = floor(c.position());
            if (i < 0 || owners[i] != c) {
                throw new IllegalStateException("page version list does not hold " + c);
            }
            return i;
        }

        void insert(Checkpoint c, byte[] content) {
            int i = floor(c.position()) + 1;
            if (n == owners.length) {
                owners = Arrays.copyOf(owners, n * 2);
                data = Arrays.copyOf(data, n * 2);
            }
            System.arraycopy(owners, i, owners, i + 1, n - i);
            System.arraycopy(data, i, data, i + 1, n - i);
            owners[i] = c;
            data[i] = content;
            n++;
        }

        void remove(int i) {
            System.arraycopy(owners, i + 1, owners, i, n - i - 1);
            System.arraycopy(data, i + 1, data, i, n - i - 1);
            n--;
            owners[n] = null;
            data[n] = null;
        }
    }
}
