package io.lore.replay.checkpoint;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVm;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Guest RAM as KVM memory slots with dirty logging, optionally with <em>trapped</em> pages whose
 * guest accesses exit to user space as MMIO (the replay serves them from the same host memory):
 * <em>read-only</em> pages trap writes (a KVM_MEM_READONLY slot), <em>holes</em> (pages in no
 * slot) trap reads and writes. That is how watchpoints work on hosts whose KVM emulates the
 * guest's kernel code and ignores data breakpoints while doing so: exact to the instruction,
 * for any number of watched ranges.
 *
 * <p>A hole also hides the page from KVM itself: descriptor tables, page tables or a stack on
 * it break interrupt delivery and address translation (the engine refuses such read watches).
 *
 * <p>With nothing trapped, RAM is the one slot {@link DirtyPageTracker#SLOT} that the machine
 * created. Changing the layout deletes slots, which discards their dirty logs:
 * {@link DirtyPageTracker} reads them first.
 */
public final class RamSlots {
    private static final int PAGE = DirtyPageTracker.PAGE_SIZE;

    private final KvmVm vm;
    private final GuestMemory memory;
    private final int pages;
    private final long relocationGpa;
    private final TreeSet<Integer> holes = new TreeSet<>();
    private final TreeSet<Integer> readOnly = new TreeSet<>();
    /** Each slot as {first page, page count, flags}; slot id = index. */
    private final List<int[]> slots = new ArrayList<>();

    public RamSlots(KvmVm vm, GuestMemory memory) {
        this.vm = vm;
        this.memory = memory;
        this.pages = (int) (memory.size() / PAGE);
        long gib = 1L << 30;
        this.relocationGpa = Math.max(1L << 32, (memory.size() + gib - 1) / gib * gib + gib);
        slots.add(new int[] {0, pages, KvmVm.MEM_LOG_DIRTY_PAGES});
    }

    /** Whether guest accesses to guest-physical {@code gpa} exit (a hole or a read-only page). */
    public boolean isTrapped(long gpa) {
        if (holes.isEmpty() && readOnly.isEmpty() || gpa < 0 || gpa >= memory.size()) {
            return false;
        }
        Integer p = (int) (gpa / PAGE);
        return holes.contains(p) || readOnly.contains(p);
    }

    /** Whether any page is trapped now. */
    public boolean anyTrapped() {
        return !holes.isEmpty() || !readOnly.isEmpty();
    }

    public SortedSet<Integer> holes() {
        return java.util.Collections.unmodifiableSortedSet(holes);
    }

    public SortedSet<Integer> readOnlyPages() {
        return java.util.Collections.unmodifiableSortedSet(readOnly);
    }

    /** KVM's dirty log of every slot, as one bitmap over all of RAM (clears KVM's logs). */
    long[] readDirtyLog() {
        long[] all = new long[PageBitmap.words(pages)];
        for (int id = 0; id < slots.size(); id++) {
            int[] s = slots.get(id);
            if ((s[2] & KvmVm.MEM_LOG_DIRTY_PAGES) == 0) {
                continue; // read-only: the guest cannot write it
            }
            long[] log = vm.getDirtyLog(id, (long) s[1] * PAGE);
            if (s[0] == 0) {
                System.arraycopy(log, 0, all, 0, log.length);
                continue;
            }
            for (int w = 0; w < log.length; w++) {
                long bits = log[w];
                while (bits != 0) {
                    int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    PageBitmap.set(all, s[0] + p);
                }
            }
        }
        return all;
    }

    /**
     * Lays the slots out again: {@code newHoles} in no slot, {@code newReadOnly} read-only (a page
     * in both is a hole). The caller has read the dirty logs.
     */
    void setTrapped(SortedSet<Integer> newHoles, SortedSet<Integer> newReadOnly) {
        TreeSet<Integer> ro = new TreeSet<>(newReadOnly);
        ro.removeAll(newHoles);
        if (newHoles.equals(holes) && ro.equals(readOnly)) {
            return;
        }
        for (int id = slots.size() - 1; id >= 0; id--) {
            vm.setMemoryRegion(id, 0, memory, 0, 0, 0);
        }
        slots.clear();
        holes.clear();
        holes.addAll(newHoles);
        readOnly.clear();
        readOnly.addAll(ro);
        int start = 0;
        int flags = kind(0);
        for (int p = 1; p <= pages; p++) {
            int f = p < pages ? kind(p) : -2;
            if (f != flags) {
                if (flags != -1) {
                    slots.add(new int[] {start, p - start, flags});
                }
                start = p;
                flags = f;
            }
        }
        for (int id = 0; id < slots.size(); id++) {
            map(id, slots.get(id), (long) slots.get(id)[0] * PAGE);
        }
    }

    /** A page's slot flags, or -1 for a hole. */
    private int kind(int page) {
        if (holes.contains(page)) {
            return -1;
        }
        return readOnly.contains(page) ? KvmVm.MEM_READONLY : KvmVm.MEM_LOG_DIRTY_PAGES;
    }

    /**
     * Makes KVM forget the translations and shadow pages it derived from guest memory, by moving
     * every slot away and back (a move flushes the slot's shadow pages).
     */
    void dropTranslations() {
        for (int id = 0; id < slots.size(); id++) {
            map(id, slots.get(id), relocationGpa + (long) slots.get(id)[0] * PAGE);
            map(id, slots.get(id), (long) slots.get(id)[0] * PAGE);
        }
    }

    private void map(int id, int[] slot, long gpa) {
        vm.setMemoryRegion(id, gpa, memory, (long) slot[0] * PAGE, (long) slot[1] * PAGE, slot[2]);
    }
}
