package io.lore.log;

/**
 * The file layout, in one place.
 * <pre>
 *   file    = "LOREREC\0" u32:version u32:headerLength header u32:crc32c(header) chunk* [trailer]
 *   chunk   = u32:"LCHK" u8:type u8:codec u16:0 u32:rawLength u32:storedLength
 *             u64:firstEventIndex u64:baseOrdinal u32:eventCount u32:crc32c(frame[0..36) + payload) payload
 *   trailer = u64:offset of the FOOTER chunk, "LOREEND\0"
 * </pre>
 * All integers little-endian. A chunk is valid alone (its events' ordinals are deltas from its
 * baseOrdinal), so a file cut anywhere is readable up to its last whole chunk.
 */
public final class RecordingFormat {
    private RecordingFormat() {}

    public static final byte[] MAGIC = {'L', 'O', 'R', 'E', 'R', 'E', 'C', 0};
    public static final byte[] END_MAGIC = {'L', 'O', 'R', 'E', 'E', 'N', 'D', 0};
    public static final int VERSION = 1;
    /**
     * The recorder logs a Digest event at the first synchronous exit after each such interval
     * of recording time (and at the end): digests are also the recording's clock marks.
     */
    public static final long DIGEST_INTERVAL_NANOS = 100_000_000L;
    public static final int CHUNK_MAGIC = 0x4b48434c; // "LCHK"
    public static final int FRAME_SIZE = 40;
    public static final int TRAILER_SIZE = 16;
    public static final int MAX_HEADER = 1 << 20;
    public static final int MAX_EVENTS_RAW = 16 << 20;
    public static final int MAX_IMAGE_RAW = 1 << 30;

    public static final int TYPE_KERNEL = 1;
    public static final int TYPE_INITRD = 2;
    public static final int TYPE_EVENTS = 3;
    public static final int TYPE_FOOTER = 4;
}
