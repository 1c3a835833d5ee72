package io.lore.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Appends a recording: header and boot images first, then event chunks as they fill, then the
 * footer. Each chunk is written whole with one write, so a crash leaves at worst a partial
 * last chunk, which readers recognise as the cut.
 */
public final class RecordingWriter implements AutoCloseable {
    private final FileChannel out;
    private final Codec codec;
    private final List<ChunkInfo> index = new ArrayList<>();
    private long position;
    private long events;
    private long lastOrdinal;
    private boolean finished;

    private RecordingWriter(FileChannel out, Codec codec) {
        this.out = out;
        this.codec = codec;
    }

    public static RecordingWriter create(Path file, RecordingHeader header, byte[] kernel, byte[] initrd) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        RecordingWriter w = new RecordingWriter(ch, header.codec());
        byte[] h = header.encode();
        ByteSink s = new ByteSink(h.length + 32);
        s.bytes(RecordingFormat.MAGIC, 0, 8).u32(RecordingFormat.VERSION).u32(h.length).bytes(h, 0, h.length);
        CRC32C crc = new CRC32C();
        crc.update(h);
        s.u32((int) crc.getValue());
        w.write(s.array(), s.size());
        w.chunk(RecordingFormat.TYPE_KERNEL, kernel, kernel.length, 0, 0, 0);
        if (initrd != null) {
            w.chunk(RecordingFormat.TYPE_INITRD, initrd, initrd.length, 0, 0, 0);
        }
        return w;
    }

    /** Writes one chunk of encoded events (as produced by an {@link EventCodec.Encoder} started at {@code baseOrdinal}). */
    public void writeEvents(ByteSink encoded, int count, long baseOrdinal, long lastOrdinalInChunk) throws IOException {
        if (count == 0) {
            return;
        }
        long at = position;
        chunk(RecordingFormat.TYPE_EVENTS, encoded.array(), encoded.size(), events, baseOrdinal, count);
        index.add(new ChunkInfo(at, events, baseOrdinal, count));
        events += count;
        lastOrdinal = lastOrdinalInChunk;
    }

    public long eventsWritten() {
        return events;
    }

    public long lastOrdinal() {
        return lastOrdinal;
    }

    public long bytesWritten() {
        return position;
    }

    /** Writes the footer (index + summary) and the trailer that points at it. */
    public void finish(RecordingSummary summary) throws IOException {
        ByteSink f = new ByteSink(256 + index.size() * 28);
        f.u32(index.size());
        for (ChunkInfo c : index) {
            f.u64(c.offset()).u64(c.firstEvent()).u64(c.baseOrdinal()).u32(c.eventCount());
        }
        summary.encode(f);
        long footerAt = position;
        chunk(RecordingFormat.TYPE_FOOTER, f.array(), f.size(), events, lastOrdinal, 0);
        ByteSink t = new ByteSink(16);
        t.u64(footerAt).bytes(RecordingFormat.END_MAGIC, 0, 8);
        write(t.array(), t.size());
        out.force(false);
        finished = true;
    }

    private void chunk(int type, byte[] raw, int rawLength, long firstEvent, long baseOrdinal, int count)
            throws IOException {
        byte[] stored = codec.compress(raw, rawLength);
        ByteBuffer frame = ByteBuffer.allocate(RecordingFormat.FRAME_SIZE + stored.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(RecordingFormat.CHUNK_MAGIC).put((byte) type).put((byte) codec.code).putShort((short) 0)
                .putInt(rawLength).putInt(stored.length).putLong(firstEvent).putLong(baseOrdinal).putInt(count);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 0, 36);
        crc.update(stored);
        frame.putInt((int) crc.getValue()).put(stored);
        write(frame.array(), frame.capacity());
    }

    private void write(byte[] data, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length);
        while (b.hasRemaining()) {
            position += out.write(b);
        }
    }

    public boolean finished() {
        return finished;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
