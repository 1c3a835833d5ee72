package io.lore.replay.travel;

import io.lore.replay.ReplayCursor.Watch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The debugger's breakpoints and watchpoints. A watchpoint is set on guest-virtual addresses
 * and translated when it is set (through the guest's page tables as they are then) into pieces
 * of guest-physical memory, one per page; any number of them may be set.
 */
public final class StopSet {
    public enum Access { WRITE, READ, ACCESS }

    /** Guest-virtual to guest-physical, -1 where unmapped. */
    public interface Translator {
        long physical(long virtual);
    }

    /** A watchpoint as the debugger set it. */
    public record Watchpoint(Access access, long address, int length) {
        boolean covers(long a) {
            return a >= address && a < address + length;
        }
    }

    private final Map<Long, Integer> breakpoints = new LinkedHashMap<>(); // address -> insert count
    private final List<Watchpoint> watchpoints = new ArrayList<>();
    private long[] breakpointArray = new long[0];
    private List<Watch> pieces = List.of();
    private final Map<Watch, Watchpoint> owner = new LinkedHashMap<>();
    private final Map<Watchpoint, List<Watch>> translated = new LinkedHashMap<>();

    void addBreakpoint(long address) {
        breakpoints.merge(address, 1, Integer::sum);
        rebuild();
    }

    boolean removeBreakpoint(long address) {
        Integer n = breakpoints.get(address);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            breakpoints.remove(address);
        } else {
            breakpoints.put(address, n - 1);
        }
        rebuild();
        return true;
    }

    /** Adds a watchpoint; false if its range is empty, huge, or not mapped. */
    boolean addWatchpoint(Access access, long address, int length, Translator t) {
        if (length <= 0 || length > 1 << 20) {
            return false;
        }
        Watchpoint w = new Watchpoint(access, address, length);
        List<Watch> pieces = new ArrayList<>();
        long a = address;
        long end = address + length;
        while (a < end) {
            long pa = t.physical(a);
            if (pa < 0) {
                return false;
            }
            int inPage = (int) Math.min(end - a, 0x1000 - (a & 0xfff));
            pieces.add(new Watch(pa, inPage, access != Access.WRITE, access != Access.READ));
            a += inPage;
        }
        watchpoints.add(w);
        translated.put(w, pieces);
        rebuild();
        return true;
    }

    /** The guest-physical pages that hold memory watched for reads ({@code reads}) or for writes only. */
    java.util.SortedSet<Integer> pages(boolean reads) {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (Watch p : pieces) {
            if (p.reads() == reads) {
                out.add((int) (p.physical() >>> 12)); // a piece never crosses a page
            }
        }
        return out;
    }

    boolean removeWatchpoint(Access access, long address, int length) {
        Watchpoint w = new Watchpoint(access, address, length);
        boolean removed = watchpoints.remove(w);
        if (!watchpoints.contains(w)) {
            translated.remove(w);
        }
        rebuild();
        return removed;
    }

    void clear() {
        breakpoints.clear();
        watchpoints.clear();
        translated.clear();
        rebuild();
    }

    public boolean isEmpty() {
        return breakpoints.isEmpty() && watchpoints.isEmpty();
    }

    long[] breakpointAddresses() {
        return breakpointArray;
    }

    boolean isBreakpoint(long rip) {
        return breakpoints.containsKey(rip);
    }

    List<Watch> pieces() {
        return pieces;
    }

    /** The watchpoint a triggered piece belongs to. */
    Watchpoint owner(Watch piece) {
        return owner.get(piece);
    }

    public List<Watchpoint> watchpoints() {
        return Collections.unmodifiableList(watchpoints);
    }

    private void rebuild() {
        breakpointArray = breakpoints.keySet().stream().mapToLong(Long::longValue).toArray();
        owner.clear();
        List<Watch> all = new ArrayList<>();
        for (Watchpoint w : watchpoints) {
            for (Watch p : translated.get(w)) {
                all.add(p);
                owner.putIfAbsent(p, w);
            }
        }
        pieces = List.copyOf(all);
    }
}
