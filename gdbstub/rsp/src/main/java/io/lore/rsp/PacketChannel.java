package io.lore.rsp;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One GDB connection at the packet level. A reader thread owns the input: it decodes frames,
 * acknowledges them (until no-ack mode), hands packets to the session through a queue, and
 * reports the out-of-band Ctrl-C byte at once, even while the session thread is busy inside a
 * long {@code resume}. The session thread writes replies with {@link #send}, which waits for
 * GDB's acknowledgement in ack mode and retransmits on '-'.
 */
final class PacketChannel implements Closeable {
    /** Receives the reader thread's out-of-band news. Called on the reader thread. */
    interface Listener {
        /** GDB sent 0x03; {@code packetsReceived} packets had been received before it. */
        void interruptRequested(long packetsReceived);

        /** The connection ended (EOF or error); no more packets will come. */
        void disconnected();
    }

    /** What {@link #next()} returns. */
    record Incoming(Type type, String text, long sequence) {
        enum Type {
            /** A packet; {@code text} is its payload, one char per byte (ISO-8859-1). */
            PACKET,
            /** A frame that arrived intact but cannot be processed; {@code text} says why. */
            ERROR,
            /** The connection is gone. */
            CLOSED
        }
    }

    private static final int QUEUE_LIMIT = 256;
    private static final int ACK_TIMEOUT_MS = 2000;
    private static final int MAX_RETRANSMISSIONS = 3;
    private static final Incoming CLOSED = new Incoming(Incoming.Type.CLOSED, null, -1);

    private final InputStream in;
    private final OutputStream out;
    private final Closeable connection;
    private final int maxPacket;
    private final Listener listener;
    private final RspLog log;
    private final String name;
    private final BlockingQueue<Incoming> packets = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    private final BlockingQueue<FrameDecoder.Kind> acks = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    private final Thread reader;
    private volatile boolean noAck;
    private volatile boolean trace;
    private volatile boolean closed;
    private long received;          // reader thread only

    PacketChannel(InputStream in, OutputStream out, Closeable connection, int maxPacket,
                  Listener listener, RspLog log, String name) {
        this.in = new BufferedInputStream(in);
        this.out = out;
        this.connection = connection;
        this.maxPacket = maxPacket;
        this.listener = listener;
        this.log = log;
        this.name = name;
        this.reader = new Thread(this::readLoop, "lore-rsp-reader " + name);
        this.reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    void setTrace(boolean trace) {
        this.trace = trace;
    }

    boolean noAckMode() {
        return noAck;
    }

    /** The next packet, rejected frame, or CLOSED; blocks. */
    Incoming next() throws InterruptedException {
        if (closed && packets.isEmpty()) {
            return CLOSED;
        }
        return packets.take();
    }

    /** Sends one packet (escaped as needed); in ack mode, waits for GDB's '+'. */
    void send(String payload) throws IOException {
        byte[] frame = Frames.frame(payload.getBytes(StandardCharsets.ISO_8859_1));
        if (trace) {
            log.log(name + " -> " + printable(payload));
        }
        if (noAck) {
            write(frame);
            return;
        }
        acks.clear();
        for (int attempt = 0; ; attempt++) {
            write(frame);
            FrameDecoder.Kind ack;
            try {
                ack = acks.poll(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for an acknowledgement");
            }
            if (ack == FrameDecoder.Kind.ACK) {
                return;
            }
            if (closed) {
                throw new IOException("connection closed");
            }
            if (attempt >= MAX_RETRANSMISSIONS) {
                log.log(name + ": no acknowledgement from GDB after " + (attempt + 1) + " tries; going on");
                return;
            }
        }
    }

    /**
     * Switches to no-ack mode, then sends {@code payload} (the OK to QStartNoAckMode). GDB sends no
     * packet before that OK, so the switch cannot race with its next packet; its '+' for the OK
     * is ignored like any ack in no-ack mode.
     */
    void sendEnteringNoAckMode(String payload) throws IOException {
        noAck = true;
        send(payload);
    }

    private void write(byte[] bytes) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    private void writeAck(int c) {
        try {
            write(new byte[] {(byte) c});
        } catch (IOException e) {
            // the read side will notice the broken connection
        }
    }

    private void readLoop() {
        FrameDecoder decoder = new FrameDecoder(maxPacket);
        try {
            for (int b; (b = in.read()) >= 0; ) {
                FrameDecoder.Event event = decoder.feed(b);
                if (event != null) {
                    handle(event);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.log(name + ": connection error: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            log.log(name + ": reader failed: " + e);
        } finally {
            closed = true;
            acks.offer(FrameDecoder.Kind.NAK);   // wake a sender waiting for an ack
            try {
                listener.disconnected();
            } catch (RuntimeException e) {
                log.log(name + ": disconnect handling failed: " + e);
            }
            if (!packets.offer(CLOSED)) {        // never lose the end marker
                packets.clear();
                packets.offer(CLOSED);
            }
        }
    }

    private void handle(FrameDecoder.Event event) {
        switch (event.kind()) {
            case PACKET -> {
                if (!noAck) {
                    writeAck('+');
                }
                received++;
                String text = new String(event.payload(), StandardCharsets.ISO_8859_1);
                if (trace) {
                    log.log(name + " <- " + printable(text));
                }
                enqueue(new Incoming(Incoming.Type.PACKET, text, received));
            }
            case ACK, NAK -> {
                if (!noAck) {
                    acks.offer(event.kind());
                }
            }
            case INTERRUPT -> {
                if (trace) {
                    log.log(name + " <- ^C");
                }
                listener.interruptRequested(received);
            }
            case BAD_CHECKSUM -> {
                if (noAck) {
                    enqueue(new Incoming(Incoming.Type.ERROR, "bad checksum", ++received));
                } else {
                    writeAck('-');               // GDB retransmits
                }
                log.log(name + ": packet with a bad checksum " + (noAck ? "rejected" : "refused (-)"));
            }
            case BAD_RUN_LENGTH -> {
                if (!noAck) {
                    writeAck('+');
                }
                enqueue(new Incoming(Incoming.Type.ERROR, "bad run-length encoding", ++received));
            }
            case OVERSIZED -> {
                if (!noAck) {
                    writeAck('+');
                }
                log.log(name + ": packet longer than " + maxPacket + " bytes rejected");
                enqueue(new Incoming(Incoming.Type.ERROR,
                        "packet too long (limit " + maxPacket + " bytes)", ++received));
            }
        }
    }

    private void enqueue(Incoming incoming) {
        if (!packets.offer(incoming)) {
            log.log(name + ": too many unanswered packets; dropping one");
        }
    }

    /** Closes the connection; the reader thread ends and {@link #next()} returns CLOSED. */
    @Override
    public void close() {
        closed = true;
        try {
            connection.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Waits (bounded) for the reader thread to finish after {@link #close()}. */
    void awaitReader(long millis) throws InterruptedException {
        reader.join(millis);
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= 200) {
                sb.append("... (").append(s.length()).append(" bytes)");
                break;
            }
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb.toString();
    }
}
