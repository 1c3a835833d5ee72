package io.lore.rsp;

import java.nio.charset.StandardCharsets;

/** Hex encoding as the remote protocol uses it (lower case, two digits per byte), with strict parsing. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    static String encode(byte[] data) {
        return encode(data, 0, data.length);
    }

    static String encode(byte[] data, int from, int length) {
        StringBuilder sb = new StringBuilder(length * 2);
        for (int i = from; i < from + length; i++) {
            appendByte(sb, data[i]);
        }
        return sb.toString();
    }

    static void appendByte(StringBuilder sb, int b) {
        sb.append(DIGITS[(b >> 4) & 0xf]).append(DIGITS[b & 0xf]);
    }

    static String encodeText(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes an even-length hex string; throws {@link RspError} on anything else. */
    static byte[] decode(String hex) {
        if ((hex.length() & 1) != 0) {
            throw RspError.malformed("odd-length hex data");
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((digit(hex.charAt(2 * i)) << 4) | digit(hex.charAt(2 * i + 1)));
        }
        return out;
    }

    static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw RspError.malformed("bad hex digit");
    }

    static boolean isDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Parses 1..16 hex digits as an unsigned 64-bit number. */
    static long parseLong(String hex) {
        if (hex.isEmpty() || hex.length() > 16) {
            throw RspError.malformed("bad hex number '" + abbreviate(hex) + "'");
        }
        long v = 0;
        for (int i = 0; i < hex.length(); i++) {
            v = (v << 4) | digit(hex.charAt(i));
        }
        return v;
    }

    /** Parses a hex number that must fit in [0, max]. */
    static int parseInt(String hex, int max) {
        long v = parseLong(hex);
        if (v < 0 || v > max) {
            throw RspError.malformed("number 0x" + abbreviate(hex) + " out of range");
        }
        return (int) v;
    }

    /** Appends {@code size} bytes of {@code value}, little-endian, as hex. */
    static void appendLittleEndian(StringBuilder sb, long value, int size) {
        for (int i = 0; i < size; i++) {
            appendByte(sb, (int) (value >>> (8 * i)));
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
