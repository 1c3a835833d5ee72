package io.lore.log;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Chunk compression. zstd is the default: on LoRe's event streams it compresses about as well
 * as deflate's best level at several times its speed (see `./lore bench`); deflate remains
 * readable everywhere without a native library.
 */
public enum Codec {
    NONE(0), DEFLATE(1), ZSTD(2);

    public final int code;

    Codec(int code) {
        this.code = code;
    }

    public static Codec ofCode(int code) {
        for (Codec c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new RecordingFormatException("unknown compression codec " + code);
    }

    public byte[] compress(byte[] raw, int length) {
        switch (this) {
            case NONE:
                return java.util.Arrays.copyOf(raw, length);
            case DEFLATE: {
                Deflater d = new Deflater(6);
                try {
                    d.setInput(raw, 0, length);
                    d.finish();
                    ByteSink out = new ByteSink(length / 4 + 64);
                    byte[] buf = new byte[16384];
                    while (!d.finished()) {
                        int n = d.deflate(buf);
                        out.bytes(buf, 0, n);
                    }
                    return out.toByteArray();
                } finally {
                    d.end();
                }
            }
            default: {
                byte[] dst = new byte[(int) Zstd.compressBound(length)];
                long n = Zstd.compressByteArray(dst, 0, dst.length, raw, 0, length, 3);
                return java.util.Arrays.copyOf(dst, (int) n);
            }
        }
    }

    /** Decompresses to exactly {@code rawLength} bytes or throws: a mismatch means damage. */
    public byte[] decompress(byte[] stored, int rawLength) {
        byte[] out = new byte[rawLength];
        switch (this) {
            case NONE:
                if (stored.length != rawLength) {
                    throw new RecordingFormatException("stored and raw lengths differ in an uncompressed chunk");
                }
                return stored.clone();
            case DEFLATE: {
                Inflater inf = new Inflater();
                try {
                    inf.setInput(stored);
                    int n = 0;
                    while (n < rawLength && !inf.finished()) {
                        int k = inf.inflate(out, n, rawLength - n);
                        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                            break;
                        }
                        n += k;
                    }
                    if (n != rawLength || !inf.finished()) {
                        throw new RecordingFormatException("deflate data does not decompress to its recorded length");
                    }
                    return out;
                } catch (DataFormatException e) {
                    throw new RecordingFormatException("corrupt deflate data: " + e.getMessage());
                } finally {
                    inf.end();
                }
            }
            default:
                try {
                    long n = Zstd.decompressByteArray(out, 0, rawLength, stored, 0, stored.length);
                    if (n != rawLength) {
                        throw new RecordingFormatException("zstd data does not decompress to its recorded length");
                    }
                    return out;
                } catch (ZstdException e) {
                    throw new RecordingFormatException("corrupt zstd data: " + e.getMessage());
                }
        }
    }
}
