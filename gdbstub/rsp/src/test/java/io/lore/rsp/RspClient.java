package io.lore.rsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal raw remote-protocol client for tests: explicit about acks, bounded by timeouts. */
final class RspClient implements Closeable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    boolean ackMode = true;

    RspClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void writeRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    void send(String payload) throws IOException {
        out.write(Frames.frame(payload.getBytes(StandardCharsets.ISO_8859_1)));
        out.flush();
    }

    /** Frames a payload that is already escaped (binary data), without escaping it again. */
    void sendEscaped(String escaped) throws IOException {
        byte[] raw = escaped.getBytes(StandardCharsets.ISO_8859_1);
        writeRaw("$" + escaped + "#" + String.format("%02x", Frames.checksum(raw, 0, raw.length)));
    }

    int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection closed by the server");
        }
        return b;
    }

    /** Reads the next packet (skipping acks), verifies its checksum, acks it in ack mode. */
    String readPacket() throws IOException {
        int b;
        while ((b = readByte()) != '$') {
            if (b != '+' && b != '-') {
                throw new IOException("unexpected byte " + b + " between packets");
            }
        }
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        while ((b = readByte()) != '#') {
            payload.write(b);
        }
        String cs = "" + (char) readByte() + (char) readByte();
        byte[] raw = payload.toByteArray();
        assertEquals(String.format("%02x", Frames.checksum(raw, 0, raw.length)), cs, "checksum");
        if (ackMode) {
            writeRaw("+");
        }
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Sends a packet and returns the reply; in ack mode expects the server's '+' first. */
    String request(String payload) throws IOException {
        send(payload);
        if (ackMode) {
            assertEquals('+', readByte(), "ack for " + payload);
        }
        return readPacket();
    }

    /** qSupported + QStartNoAckMode, as GDB does. Returns the qSupported reply. */
    String handshake() throws IOException {
        String features = request("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+");
        assertEquals("OK", request("QStartNoAckMode"));
        ackMode = false;
        return features;
    }

    /** True if the server closed the connection within the socket timeout. */
    boolean closedByServer() {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
