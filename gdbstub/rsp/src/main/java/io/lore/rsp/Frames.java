package io.lore.rsp;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The byte-level encodings of the remote protocol: {@code $payload#xx} framing with a modulo-256
 * checksum, 0x7d escaping of binary data, and run-length encoding ({@code x*n}).
 */
final class Frames {
    static final int ESCAPE = 0x7d;

    private Frames() {}

    static int checksum(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += data[i] & 0xff;
        }
        return sum & 0xff;
    }

    /** Whether a byte must be escaped in packet data: framing, escape and run-length characters. */
    static boolean needsEscape(int b) {
        return b == '$' || b == '#' || b == ESCAPE || b == '*';
    }

    /** {@code $<escaped payload>#<checksum>}: what goes on the wire for one packet. */
    static byte[] frame(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 8);
        out.write('$');
        int sum = 0;
        for (byte value : payload) {
            int b = value & 0xff;
            if (needsEscape(b)) {
                out.write(ESCAPE);
                out.write(b ^ 0x20);
                sum += ESCAPE + (b ^ 0x20);
            } else {
                out.write(b);
                sum += b;
            }
        }
        out.write('#');
        StringBuilder cs = new StringBuilder(2);
        Hex.appendByte(cs, sum);
        out.write(cs.charAt(0));
        out.write(cs.charAt(1));
        return out.toByteArray();
    }

    /** Decodes 0x7d-escaped binary data (X packets); throws on a dangling escape byte. */
    static byte[] unescape(byte[] data, int from, int to) {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            int b = data[i] & 0xff;
            if (b == ESCAPE) {
                if (++i >= to) {
                    throw RspError.malformed("dangling escape in binary data");
                }
                b = (data[i] & 0xff) ^ 0x20;
            }
            out[n++] = (byte) b;
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Expands run-length encoding: {@code c*N} stands for c repeated {@code N - 29} more times.
     * Returns null if the encoding is invalid (no character to repeat, missing or bad count)
     * or the result would exceed {@code max} bytes.
     */
    static byte[] expandRunLength(byte[] raw, int length, int max) {
        int star = -1;
        for (int i = 0; i < length; i++) {
            if (raw[i] == '*') {
                star = i;
                break;
            }
        }
        if (star < 0) {
            return Arrays.copyOf(raw, length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length * 2);
        int last = -1;
        for (int i = 0; i < length; i++) {
            int b = raw[i] & 0xff;
            if (b == '*') {
                if (last < 0 || i + 1 >= length) {
                    return null;
                }
                int count = (raw[++i] & 0xff) - 29;
                if (count < 3 || count > 97) {   // the count character is printable: ' ' .. '~'
                    return null;
                }
                for (int k = 0; k < count; k++) {
                    out.write(last);
                }
                last = -1;                        // "a*!*!" is not a valid chain
            } else {
                out.write(b);
                last = b;
            }
            if (out.size() > max) {
                return null;
            }
        }
        return out.toByteArray();
    }
}
