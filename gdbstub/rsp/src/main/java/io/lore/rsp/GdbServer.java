package io.lore.rsp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A GDB remote-protocol server for one {@link DebugTarget}, on a TCP port.
 *
 * <p>The constructor binds and starts listening (127.0.0.1 unless another host is given; port 0
 * picks a free port, see {@link #port()}). Clients are served one at a time on the thread that
 * calls {@link #serveOne()} or {@link #serveForever()}, which is also the only thread that calls
 * the target (apart from {@link DebugTarget#interrupt()}, called from a connection's reader
 * thread on Ctrl-C or disconnect). While a client is connected, further connections are refused
 * with an error packet and a log line; the connected client is not disturbed.
 *
 * <p>When a session ends (GDB detaches, kills, disconnects, or the server closes), breakpoints
 * it left inserted are removed and {@link DebugTarget#detach()} is called.
 *
 * <pre>
 * try (GdbServer server = new GdbServer(target, "127.0.0.1", 1234)) {
 *     server.serveForever();          // or serveOne() for a single debugging session
 * }
 * </pre>
 */
public final class GdbServer implements Closeable {
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The PacketSize announced to GDB and the largest packet accepted. */
    public static final int PACKET_SIZE = 0x4000;
    private static final int REFUSAL_READ_TIMEOUT_MS = 2000;

    private final DebugTarget target;
    private final RspLog log;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private volatile boolean trace;
    private boolean closed;                 // guarded by this
    private Socket pending;                 // accepted, waiting for a serve call; guarded by this
    private GdbSession active;              // guarded by this
    private String activeClient;            // guarded by this

    /** Listens on 127.0.0.1:{@code port}. */
    public GdbServer(DebugTarget target, int port) throws IOException {
        this(target, DEFAULT_HOST, port, RspLog.STDERR);
    }

    /** Listens on {@code host}:{@code port} (host null: 127.0.0.1). */
    public GdbServer(DebugTarget target, String host, int port) throws IOException {
        this(target, host, port, RspLog.STDERR);
    }

    public GdbServer(DebugTarget target, String host, int port, RspLog log) throws IOException {
        this.target = Objects.requireNonNull(target, "target");
        this.log = log == null ? RspLog.SILENT : log;
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host == null ? DEFAULT_HOST : host), port), 4);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen on " + (host == null ? DEFAULT_HOST : host) + ":" + port
                    + ": " + e.getMessage(), e);
        }
        this.serverSocket = socket;
        this.acceptor = new Thread(this::acceptLoop, "lore-rsp-acceptor :" + port());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
        this.log.log("listening for GDB on " + describe(address()));
    }

    /** The port actually bound (useful after asking for port 0). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /** Logs every packet in both directions (abbreviated). */
    public void setPacketTrace(boolean trace) {
        this.trace = trace;
    }

    /**
     * Waits for a client and debugs it until it detaches, kills, disconnects, or the server is
     * closed. Returns true if a client was served, false if the server was closed (or the calling
     * thread interrupted) before one connected. A client that connects while no serve call is
     * waiting is held (one at most) until the next call.
     */
    public boolean serveOne() {
        Socket socket;
        GdbSession session;
        String client;
        synchronized (this) {
            while (pending == null && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (closed) {
                return false;
            }
            socket = pending;
            pending = null;
            client = describe(socket.getRemoteSocketAddress());
            try {
                socket.setTcpNoDelay(true);
                session = new GdbSession(target, socket.getInputStream(), socket.getOutputStream(),
                        socket, PACKET_SIZE, log, "client " + client);
            } catch (IOException e) {
                log.log("client " + client + " lost before the session started: " + e.getMessage());
                closeQuietly(socket);
                return true;
            }
            session.setTrace(trace);
            active = session;
            activeClient = client;
        }
        log.log("client " + client + " connected");
        try {
            session.run();
        } finally {
            synchronized (this) {
                active = null;
                activeClient = null;
                notifyAll();
            }
        }
        return true;
    }

    /** Serves clients one after another until {@link #close()}. */
    public void serveForever() {
        while (serveOne()) {
            // next client
        }
    }

    /** Whether a client is connected right now. */
    public synchronized boolean isClientConnected() {
        return active != null && active.clientConnected();
    }

    /** Stops listening and ends the current session; serve calls return. Idempotent. */
    @Override
    public void close() {
        Socket waiting;
        GdbSession session;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = pending;
            pending = null;
            session = active;
            notifyAll();
        }
        closeQuietly(serverSocket);
        if (waiting != null) {
            closeQuietly(waiting);
        }
        if (session != null) {
            session.closeConnection();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.log("stopped listening on port " + serverSocket.getLocalPort());
    }

    private void acceptLoop() {
        try {
            acceptConnections();
        } catch (RuntimeException | Error e) {
            log.log("acceptor stopped: " + e);
        }
    }

    private void acceptConnections() {
        while (true) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                log.log("accept failed: " + e.getMessage());
                try {
                    Thread.sleep(100);       // do not spin on a persistent error
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            String busyWith;
            synchronized (this) {
                if (closed) {
                    closeQuietly(socket);
                    return;
                }
                boolean busy = pending != null || (active != null && active.clientConnected());
                if (!busy) {
                    pending = socket;
                    notifyAll();
                    continue;
                }
                busyWith = activeClient != null ? activeClient : "another client";
            }
            refuse(socket, busyWith);
        }
    }

    /**
     * Tells a second client that the target is taken: reads its first packet (bounded wait),
     * answers it with an error packet GDB prints as a warning, and closes.
     */
    private void refuse(Socket socket, String busyWith) {
        String client = describe(socket.getRemoteSocketAddress());
        log.log("refused client " + client + ": " + busyWith + " is already connected");
        Thread t = new Thread(() -> {
            try (socket) {
                socket.setSoTimeout(REFUSAL_READ_TIMEOUT_MS);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                FrameDecoder decoder = new FrameDecoder(PACKET_SIZE);
                try {
                    for (int b; (b = in.read()) >= 0; ) {
                        FrameDecoder.Event e = decoder.feed(b);
                        if (e != null && e.kind() != FrameDecoder.Kind.ACK && e.kind() != FrameDecoder.Kind.NAK
                                && e.kind() != FrameDecoder.Kind.INTERRUPT) {
                            break;
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // a client that says nothing still gets the message
                }
                String message = "E." + RspError.sanitize("LoRe: another GDB is already debugging this target ("
                        + busyWith + "); only one client at a time");
                out.write('+');
                out.write(Frames.frame(message.getBytes(StandardCharsets.ISO_8859_1)));
                out.flush();
                socket.shutdownOutput();
                // Let GDB read the reply before the connection is reset (bounded: 1 s).
                long deadline = System.nanoTime() + 1_000_000_000L;
                socket.setSoTimeout(250);
                try {
                    while (System.nanoTime() < deadline && in.read() >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // done
                }
            } catch (IOException | RuntimeException e) {
                // the refused client went away; nothing to do
            }
        }, "lore-rsp-refuse " + client);
        t.setDaemon(true);
        t.start();
    }

    private static String describe(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
