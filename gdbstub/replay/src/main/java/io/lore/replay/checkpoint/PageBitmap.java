package io.lore.replay.checkpoint;

/**
 * Helpers for page bitmaps in KVM's dirty-log layout: bit {@code i} of word {@code w} is page
 * {@code 64 * w + i}.
 */
public final class PageBitmap {
    private PageBitmap() {}

    /** Words needed for {@code pages} pages. */
    public static int words(int pages) {
        return (pages + 63) >>> 6;
    }

    public static boolean get(long[] bitmap, int page) {
        return (bitmap[page >>> 6] & (1L << page)) != 0;
    }

    public static void set(long[] bitmap, int page) {
        bitmap[page >>> 6] |= 1L << page;
    }

    /** Number of pages set. */
    public static int count(long[] bitmap) {
        int n = 0;
        for (long w : bitmap) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** {@code into |= from}. */
    public static void or(long[] into, long[] from) {
        for (int w = 0; w < into.length; w++) {
            into[w] |= from[w];
        }
    }

    /** The pages set, in increasing order, of which at most {@code limit} (pages beyond it are ignored). */
    public static int[] toPages(long[] bitmap, int limit) {
        int[] out = new int[count(bitmap)];
        int n = 0;
        for (int w = 0; w < bitmap.length; w++) {
            long bits = bitmap[w];
            while (bits != 0) {
                int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (p < limit) {
                    out[n++] = p;
                }
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
