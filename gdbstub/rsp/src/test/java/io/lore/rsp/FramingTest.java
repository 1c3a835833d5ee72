package io.lore.rsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frames and FrameDecoder: checksums, escaping, run-length encoding, bad and oversized input. */
class FramingTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static List<FrameDecoder.Event> decode(FrameDecoder d, String wire) {
        List<FrameDecoder.Event> events = new ArrayList<>();
        for (byte b : bytes(wire)) {
            FrameDecoder.Event e = d.feed(b & 0xff);
            if (e != null) {
                events.add(e);
            }
        }
        return events;
    }

    private static FrameDecoder.Event single(String wire) {
        List<FrameDecoder.Event> events = decode(new FrameDecoder(64), wire);
        assertEquals(1, events.size(), "events for " + wire);
        return events.get(0);
    }

    @Test
    void checksumIsTheByteSumModulo256() {
        assertEquals("$#00", text(Frames.frame(new byte[0])));
        assertEquals("$OK#9a", text(Frames.frame(bytes("OK"))));
        assertEquals("$qSupported#37", text(Frames.frame(bytes("qSupported"))));
        assertEquals(0x9a, Frames.checksum(bytes("xOKx"), 1, 3));
    }

    @Test
    void framingEscapesTheFourSpecialBytesAndTheChecksumCoversTheEscapes() {
        byte[] payload = {'a', '$', '#', '}', '*', 'b'};
        String wire = text(Frames.frame(payload));
        assertEquals("$a}\u0004}\u0003}]}\nb#", wire.substring(0, wire.length() - 2));
        FrameDecoder.Event e = single(wire);
        assertEquals(FrameDecoder.Kind.PACKET, e.kind());
        byte[] raw = e.payload();
        assertArrayEquals(payload, Frames.unescape(raw, 0, raw.length));
    }

    @Test
    void binaryRoundTripOfEveryByteValue() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        FrameDecoder d = new FrameDecoder(1024);
        List<FrameDecoder.Event> events = decode(d, text(Frames.frame(all)));
        assertEquals(1, events.size());
        byte[] raw = events.get(0).payload();
        assertArrayEquals(all, Frames.unescape(raw, 0, raw.length));
    }

    @Test
    void unescapeRejectsADanglingEscape() {
        assertThrows(RspError.class, () -> Frames.unescape(new byte[] {'a', 0x7d}, 0, 2));
    }

    @Test
    void runLengthEncodingIsExpanded() {
        // "0* " = '0' + 3 more; '~' (126) = 97 more.
        assertEquals("0000", text(Frames.expandRunLength(bytes("0* "), 3, 100)));
        assertEquals("x" + "0".repeat(9) + "y", text(Frames.expandRunLength(bytes("x0*%y"), 5, 100)));
        assertEquals(98, Frames.expandRunLength(bytes("a*~"), 3, 100).length);
        assertNull(Frames.expandRunLength(bytes("*!"), 2, 100), "nothing to repeat");
        assertNull(Frames.expandRunLength(bytes("a*"), 2, 100), "no count");
        assertNull(Frames.expandRunLength(bytes("a*\u0010"), 3, 100), "count not printable");
        assertNull(Frames.expandRunLength(bytes("a*~"), 3, 50), "too long once expanded");
        // Through the decoder: the checksum covers the encoded form.
        String encoded = "m0*\"";
        FrameDecoder.Event e = single("$" + encoded + "#" + String.format("%02x", Frames.checksum(bytes(encoded), 0, 4)));
        assertEquals("m000000", text(e.payload()));
    }

    @Test
    void acksInterruptsAndNoiseBetweenPackets() {
        List<FrameDecoder.Event> events = decode(new FrameDecoder(64), "+-\u0003xyz\r\n$OK#9a");
        assertEquals(List.of(FrameDecoder.Kind.ACK, FrameDecoder.Kind.NAK, FrameDecoder.Kind.INTERRUPT,
                FrameDecoder.Kind.PACKET), events.stream().map(FrameDecoder.Event::kind).toList());
    }

    @Test
    void controlCInsideAPacketIsData() {
        byte[] payload = {'X', '0', ',', '1', ':', 3};
        FrameDecoder.Event e = single(text(Frames.frame(payload)));
        assertEquals(FrameDecoder.Kind.PACKET, e.kind());
        assertArrayEquals(payload, e.payload());
    }

    @Test
    void badChecksumsAreReported() {
        assertEquals(FrameDecoder.Kind.BAD_CHECKSUM, single("$OK#9b").kind());
        assertEquals(FrameDecoder.Kind.BAD_CHECKSUM, single("$OK#zz").kind());
        assertEquals(FrameDecoder.Kind.PACKET, single("$OK#9A").kind(), "upper-case checksum digits are fine");
    }

    @Test
    void aDollarInsideAPacketRestartsIt() {
        List<FrameDecoder.Event> events = decode(new FrameDecoder(64), "$garb$OK#9a");
        assertEquals(1, events.size());
        assertEquals("OK", text(events.get(0).payload()));
    }

    @Test
    void oversizedPacketsAreConsumedAndTheStreamStaysInSync() {
        FrameDecoder d = new FrameDecoder(16);
        String big = "m" + "1".repeat(100);
        String wire = text(Frames.frame(bytes(big))) + text(Frames.frame(bytes("OK")));
        List<FrameDecoder.Event> events = decode(d, wire);
        assertEquals(2, events.size());
        assertEquals(FrameDecoder.Kind.OVERSIZED, events.get(0).kind());
        assertEquals("OK", text(events.get(1).payload()));
        // Exactly at the limit is fine; expansion beyond it is not.
        assertEquals(FrameDecoder.Kind.PACKET, decode(new FrameDecoder(16), text(Frames.frame(bytes("x".repeat(16))))).get(0).kind());
        assertEquals(FrameDecoder.Kind.OVERSIZED, decode(new FrameDecoder(16), "$a*~#" + String.format("%02x", Frames.checksum(bytes("a*~"), 0, 3))).get(0).kind());
        assertEquals(FrameDecoder.Kind.BAD_RUN_LENGTH, decode(new FrameDecoder(16), "$*a#" + String.format("%02x", Frames.checksum(bytes("*a"), 0, 2))).get(0).kind());
    }

    @Test
    void randomGarbageNeverThrowsAndTheNextGoodPacketGetsThrough() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            FrameDecoder d = new FrameDecoder(64);
            int n = random.nextInt(300);
            for (int i = 0; i < n; i++) {
                d.feed(random.nextInt(256));
            }
            // Whatever state it is in, a terminated frame followed by a good one resynchronises.
            decode(d, "#00");
            List<FrameDecoder.Event> events = decode(d, "$OK#9a");
            assertTrue(events.stream().anyMatch(e -> e.kind() == FrameDecoder.Kind.PACKET && "OK".equals(text(e.payload()))),
                    "round " + round + ": " + events);
        }
    }
}
