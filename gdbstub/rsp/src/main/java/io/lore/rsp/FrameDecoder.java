package io.lore.rsp;

/**
 * Turns the byte stream from GDB into protocol events, one byte at a time: packets (checksum
 * verified, run-length encoding expanded), acknowledgements, and the out-of-band interrupt
 * byte 0x03 (only outside a packet: inside one it is data). Never throws on bad input; a packet
 * longer than the limit is consumed to its end and reported as {@link Kind#OVERSIZED}.
 */
final class FrameDecoder {
    enum Kind {
        PACKET, ACK, NAK, INTERRUPT,
        /** A complete frame whose checksum did not match (or was not hex). */
        BAD_CHECKSUM,
        /** A frame whose run-length encoding is invalid. */
        BAD_RUN_LENGTH,
        /** A frame longer than the limit (raw or after expansion). */
        OVERSIZED
    }

    record Event(Kind kind, byte[] payload) {
        static final Event ACK = new Event(Kind.ACK, null);
        static final Event NAK = new Event(Kind.NAK, null);
        static final Event INTERRUPT = new Event(Kind.INTERRUPT, null);
        static final Event BAD_CHECKSUM = new Event(Kind.BAD_CHECKSUM, null);
        static final Event BAD_RUN_LENGTH = new Event(Kind.BAD_RUN_LENGTH, null);
        static final Event OVERSIZED = new Event(Kind.OVERSIZED, null);

        @Override
        public String toString() {
            return payload == null ? kind.name() : kind + "(" + payload.length + " bytes)";
        }
    }

    private enum State { IDLE, PAYLOAD, CHECKSUM_HIGH, CHECKSUM_LOW }

    private final int maxPacket;
    private final byte[] raw;
    private State state = State.IDLE;
    private int length;
    private int sum;
    private boolean overflow;
    private int checksumHigh;

    /** @param maxPacket the largest payload accepted, both as sent and after run-length expansion */
    FrameDecoder(int maxPacket) {
        this.maxPacket = maxPacket;
        this.raw = new byte[maxPacket];
    }

    /** Feeds one byte (0..255); returns the event it completes, or null. */
    Event feed(int b) {
        switch (state) {
            case IDLE:
                switch (b) {
                    case '$': startPacket(); return null;
                    case '+': return Event.ACK;
                    case '-': return Event.NAK;
                    case 0x03: return Event.INTERRUPT;
                    default: return null;       // line noise between packets is ignored
                }
            case PAYLOAD:
                if (b == '#') {
                    state = State.CHECKSUM_HIGH;
                } else if (b == '$') {
                    startPacket();              // a new packet starts: the partial one is lost
                } else {
                    sum += b;
                    if (length < raw.length) {
                        raw[length++] = (byte) b;
                    } else {
                        overflow = true;
                    }
                }
                return null;
            case CHECKSUM_HIGH:
                checksumHigh = b;
                state = State.CHECKSUM_LOW;
                return null;
            case CHECKSUM_LOW:
            default:
                state = State.IDLE;
                return finish(checksumHigh, b);
        }
    }

    /** Whether a packet is partially received (its bytes are data, not out-of-band signals). */
    boolean inPacket() {
        return state != State.IDLE;
    }

    private void startPacket() {
        state = State.PAYLOAD;
        length = 0;
        sum = 0;
        overflow = false;
    }

    private Event finish(int high, int low) {
        if (!Hex.isDigit(high) || !Hex.isDigit(low)
                || ((Hex.digit((char) high) << 4) | Hex.digit((char) low)) != (sum & 0xff)) {
            return Event.BAD_CHECKSUM;
        }
        if (overflow) {
            return Event.OVERSIZED;
        }
        byte[] payload = Frames.expandRunLength(raw, length, maxPacket);
        if (payload == null) {
            // Either invalid encoding or too long once expanded: tell which.
            // (at most ~48x expansion of a bounded frame: a bounded second pass)
            return Frames.expandRunLength(raw, length, Integer.MAX_VALUE - 8) == null
                    ? Event.BAD_RUN_LENGTH : Event.OVERSIZED;
        }
        return new Event(Kind.PACKET, payload);
    }

    @Override
    public String toString() {
        return "FrameDecoder[" + state + ", " + length + "/" + maxPacket + "]";
    }
}
