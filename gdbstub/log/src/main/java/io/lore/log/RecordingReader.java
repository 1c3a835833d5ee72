package io.lore.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Opens a recording and checks every chunk's frame and checksum up front, so a caller knows
 * before replaying whether the file is complete, cut short (readable up to the last whole
 * chunk) or damaged (a chunk failed its checksum: nothing from it on is used).
 */
public final class RecordingReader implements AutoCloseable {
    public enum State { COMPLETE, TRUNCATED, DAMAGED }

    private final Path path;
    private final FileChannel in;
    private final long size;
    private RecordingHeader header;
    private byte[] kernel;
    private byte[] initrd;
    private final List<ChunkInfo> chunks = new ArrayList<>();
    private RecordingSummary summary;
    private State state = State.COMPLETE;
    private String problem;
    private long problemOffset = -1;
    private long validEnd;
    private long eventBytes;

    private RecordingReader(Path path, FileChannel in) throws IOException {
        this.path = path;
        this.in = in;
        this.size = in.size();
    }

    public static RecordingReader open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        RecordingReader r = new RecordingReader(path, ch);
        try {
            r.scan();
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
        return r;
    }

    private void scan() throws IOException {
        String name = path.getFileName().toString();
        if (size < 16) {
            throw new RecordingFormatException(name + ": not a LoRe recording (file too short)");
        }
        ByteBuffer start = read(0, 16);
        byte[] magic = new byte[8];
        start.get(magic);
        if (!Arrays.equals(magic, RecordingFormat.MAGIC)) {
            throw new RecordingFormatException(name + ": not a LoRe recording (bad magic)");
        }
        int version = start.getInt();
        if (version != RecordingFormat.VERSION) {
            throw new RecordingFormatException(name + ": recording format version " + version
                    + " is not supported (this LoRe reads version " + RecordingFormat.VERSION + ")");
        }
        int headerLength = start.getInt();
        if (headerLength < 0 || headerLength > RecordingFormat.MAX_HEADER || 16L + headerLength + 4 > size) {
            throw new RecordingFormatException(name + ": recording header is cut short or malformed");
        }
        ByteBuffer h = read(16, headerLength + 4);
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, headerLength);
        if ((int) crc.getValue() != h.getInt(headerLength)) {
            throw new RecordingFormatException(name + ": recording header is damaged (checksum mismatch at offset 16)");
        }
        header = RecordingHeader.decode(ByteBuffer.wrap(h.array(), 0, headerLength).order(ByteOrder.LITTLE_ENDIAN));

        long offset = 16L + headerLength + 4;
        long events = 0;
        while (true) {
            validEnd = offset;
            long remaining = size - offset;
            if (remaining == 0) {
                stop(State.TRUNCATED, offset, "recording ends without a footer after " + events
                        + " events (the recorder was stopped before it finished)");
                break;
            }
            if (remaining < RecordingFormat.FRAME_SIZE) {
                stop(State.TRUNCATED, offset, "recording is cut short inside a chunk header after " + events + " events");
                break;
            }
            ByteBuffer f = read(offset, RecordingFormat.FRAME_SIZE);
            if (f.getInt(0) != RecordingFormat.CHUNK_MAGIC) {
                stop(State.DAMAGED, offset, "no chunk starts where one should (damaged data)");
                break;
            }
            int type = f.get(4) & 0xff;
            int codecCode = f.get(5) & 0xff;
            int rawLength = f.getInt(8);
            int storedLength = f.getInt(12);
            long firstEvent = f.getLong(16);
            long baseOrdinal = f.getLong(24);
            int count = f.getInt(32);
            if (storedLength < 0 || storedLength > remaining - RecordingFormat.FRAME_SIZE) {
                stop(State.TRUNCATED, offset, "recording is cut short inside a chunk after " + events + " events");
                break;
            }
            ByteBuffer payload = read(offset + RecordingFormat.FRAME_SIZE, storedLength);
            CRC32C c = new CRC32C();
            c.update(f.array(), 0, 36);
            c.update(payload.array(), 0, storedLength);
            if ((int) c.getValue() != f.getInt(36)) {
                stop(State.DAMAGED, offset, "chunk fails its checksum (damaged data)");
                break;
            }
            long next = offset + RecordingFormat.FRAME_SIZE + storedLength;
            try {
                if (type == RecordingFormat.TYPE_EVENTS) {
                    if (firstEvent != events || count <= 0 || rawLength < 0 || rawLength > RecordingFormat.MAX_EVENTS_RAW) {
                        throw new RecordingFormatException("event chunk is out of sequence or oversized");
                    }
                    chunks.add(new ChunkInfo(offset, firstEvent, baseOrdinal, count));
                    events += count;
                    eventBytes += RecordingFormat.FRAME_SIZE + storedLength;
                } else if (type == RecordingFormat.TYPE_KERNEL || type == RecordingFormat.TYPE_INITRD) {
                    if (rawLength < 0 || rawLength > RecordingFormat.MAX_IMAGE_RAW) {
                        throw new RecordingFormatException("boot image chunk is oversized");
                    }
                    byte[] image = Codec.ofCode(codecCode).decompress(payload.array(), rawLength);
                    if (type == RecordingFormat.TYPE_KERNEL) {
                        kernel = image;
                    } else {
                        initrd = image;
                    }
                } else if (type == RecordingFormat.TYPE_FOOTER) {
                    if (rawLength < 0 || rawLength > RecordingFormat.MAX_EVENTS_RAW) {
                        throw new RecordingFormatException("footer is oversized");
                    }
                    ByteBuffer fb = ByteBuffer.wrap(Codec.ofCode(codecCode).decompress(payload.array(), rawLength))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    int n = fb.getInt();
                    if (n != chunks.size()) {
                        throw new RecordingFormatException("footer index lists " + n + " chunks, the file has " + chunks.size());
                    }
                    fb.position(4 + n * 28);
                    summary = RecordingSummary.decode(fb);
                    validEnd = next;
                    break;
                } else {
                    throw new RecordingFormatException("unknown chunk type " + type);
                }
            } catch (RecordingFormatException | java.nio.BufferUnderflowException | IllegalArgumentException e) {
                stop(State.DAMAGED, offset, "chunk is malformed: " + e.getMessage());
                break;
            }
            offset = next;
        }
        // without its boot images a recording cannot be replayed at all
        String missing = kernel == null ? "kernel image" : initrd == null && !header.initrdName().isEmpty() ? "initrd" : null;
        if (missing != null) {
            throw new RecordingFormatException(problem != null
                    ? name + ": " + problem + " at offset " + problemOffset + ", before its " + missing
                            + " is complete: nothing to replay"
                    : name + ": recording holds no " + missing);
        }
    }

    private void stop(State s, long offset, String why) {
        state = s;
        problemOffset = offset;
        problem = why;
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (in.read(b, offset + b.position()) < 0) {
                throw new EOFException("unexpected end of " + path);
            }
        }
        b.flip();
        return b;
    }

    public Path path() { return path; }
    public RecordingHeader header() { return header; }
    public byte[] kernel() { return kernel; }
    public byte[] initrd() { return initrd; }
    public State state() { return state; }
    /** What is wrong (null when complete), for messages. */
    public String problem() { return problem; }
    /** File offset of the problem, or -1. */
    public long problemOffset() { return problemOffset; }
    public long fileSize() { return size; }
    /** Bytes the event chunks take in the file: the log proper, without header and boot images. */
    public long eventBytes() { return eventBytes; }
    public List<ChunkInfo> chunks() { return Collections.unmodifiableList(chunks); }
    /** The footer's summary; empty if the recording was cut short or damaged. */
    public Optional<RecordingSummary> summary() { return Optional.ofNullable(summary); }

    public long eventCount() {
        if (chunks.isEmpty()) {
            return 0;
        }
        ChunkInfo last = chunks.get(chunks.size() - 1);
        return last.firstEvent() + last.eventCount();
    }

    /** The events of the valid chunks, in order. */
    public Iterator<Event> events() {
        return events(0);
    }

    /** The events from chunk {@code firstChunk} on. */
    public Iterator<Event> events(int firstChunk) {
        return new Iterator<>() {
            private int chunk = firstChunk;
            private EventCodec.Decoder decoder;
            private int leftInChunk;

            @Override
            public boolean hasNext() {
                while (leftInChunk == 0) {
                    if (chunk >= chunks.size()) {
                        return false;
                    }
                    load(chunks.get(chunk++));
                }
                return true;
            }

            @Override
            public Event next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                leftInChunk--;
                Event e = decoder.next();
                if (leftInChunk == 0 && decoder.hasNext()) {
                    throw new RecordingFormatException("event chunk holds more events than its header says");
                }
                return e;
            }

            private void load(ChunkInfo c) {
                try {
                    ByteBuffer f = read(c.offset(), RecordingFormat.FRAME_SIZE);
                    int stored = f.getInt(12);
                    ByteBuffer p = read(c.offset() + RecordingFormat.FRAME_SIZE, stored);
                    byte[] raw = Codec.ofCode(f.get(5) & 0xff).decompress(p.array(), f.getInt(8));
                    decoder = new EventCodec.Decoder(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN), c.baseOrdinal());
                    leftInChunk = c.eventCount();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (RecordingFormatException e) {
                    throw new RecordingFormatException("chunk at offset " + c.offset() + ": " + e.getMessage());
                }
            }
        };
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
