package io.lore.rsp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One GDB connection: the protocol state machine on top of a {@link PacketChannel}. Runs on the
 * thread that calls {@link #run()} (which is also the thread that calls into the target); the
 * channel's reader thread only ever calls {@link DebugTarget#interrupt()}.
 */
final class GdbSession {
    private static final String DEFAULT_REFUSAL = "this target does not accept writes";

    private final DebugTarget target;
    private final RspLog log;
    private final String name;
    private final int packetSize;
    private final TargetDescription description = TargetDescription.X86_64;
    private final RegisterCodec registers = new RegisterCodec(description);
    private final PacketChannel channel;
    private final PacketDispatcher dispatcher = new PacketDispatcher();

    /** Breakpoints this session inserted and has not removed; removed when it ends. */
    private final List<Breakpoint> inserted = new ArrayList<>();
    private boolean swbreak;
    private boolean hwbreak;
    private String lastStop = StopReplies.signal(StopReplies.SIGTRAP, "");
    private long sequence;               // the number of the packet being handled
    private String endReason;            // set by D, k, vKill: the session ends after the reply

    // Shared with the reader thread.
    private final Object runLock = new Object();
    private boolean running;
    private boolean clientGone;
    private long pendingInterruptAfter = -1;

    private record Breakpoint(BreakpointType type, long address, int length) {}

    GdbSession(DebugTarget target, InputStream in, OutputStream out, Closeable connection,
               int packetSize, RspLog log, String name) {
        this.target = target;
        this.log = log;
        this.name = name;
        this.packetSize = packetSize;
        this.channel = new PacketChannel(in, out, connection, packetSize, new PacketChannel.Listener() {
            @Override
            public void interruptRequested(long packetsReceived) {
                onInterrupt(packetsReceived);
            }

            @Override
            public void disconnected() {
                onDisconnect();
            }
        }, log, name);
        registerHandlers();
    }

    void setTrace(boolean trace) {
        channel.setTrace(trace);
    }

    /** Whether GDB is still connected (false once its connection reached EOF). */
    boolean clientConnected() {
        synchronized (runLock) {
            return !clientGone;
        }
    }

    /** Ends the session from outside (server shutdown): the connection closes, run() returns. */
    void closeConnection() {
        channel.close();
    }

    private void registerHandlers() {
        dispatcher
            .exact("?", p -> lastStop)
            .prefix("qSupported", this::qSupported)
            .exact("QStartNoAckMode", p -> {
                channel.sendEnteringNoAckMode("OK");
                return null;
            })
            .exact("g", p -> readRegisters())
            .prefix("G", this::refuseWrite)
            .prefix("p", this::readRegister)
            .prefix("P", this::refuseWrite)
            .prefix("m", this::readMemory)
            .prefix("M", this::refuseWrite)
            .prefix("X", this::writeBinary)
            .prefix("qXfer:features:read:", this::readFeatures)
            .prefix("qAttached", p -> "1")
            .exact("qC", p -> "QC1")
            .exact("qfThreadInfo", p -> "m1")
            .exact("qsThreadInfo", p -> "l")
            .prefix("H", this::setThread)
            .prefix("T", p -> isOurThread(p.substring(1)) ? "OK" : "E.no such thread")
            .exact("vCont?", p -> "vCont;c;C;s;S")
            .prefix("vCont;", this::vCont)
            .prefix("c", p -> resumeAt(p.substring(1), ResumeMode.CONTINUE))
            .prefix("C", p -> resumeAt(afterSignal(p), ResumeMode.CONTINUE))
            .prefix("s", p -> resumeAt(p.substring(1), ResumeMode.STEP))
            .prefix("S", p -> resumeAt(afterSignal(p), ResumeMode.STEP))
            .exact("bc", p -> resume(ResumeMode.REVERSE_CONTINUE))
            .exact("bs", p -> resume(ResumeMode.REVERSE_STEP))
            .prefix("Z", p -> breakpoint(p, true))
            .prefix("z", p -> breakpoint(p, false))
            .prefix("qRcmd,", this::monitor)
            .prefix("D", p -> {
                endReason = "detached";
                return "OK";
            })
            .exact("k", p -> {
                endReason = "killed the session";
                return null;
            })
            .prefix("vKill", p -> {
                endReason = "killed the session";
                return "OK";
            })
            .exact("vMustReplyEmpty", p -> "");
    }

    /** Serves the connection until GDB detaches, kills, disconnects or the server closes it. */
    void run() {
        channel.start();
        String end = "disconnected";
        try {
            while (true) {
                PacketChannel.Incoming in = channel.next();
                if (in.type() == PacketChannel.Incoming.Type.CLOSED) {
                    break;
                }
                sequence = in.sequence();
                String reply = in.type() == PacketChannel.Incoming.Type.ERROR
                        ? "E." + RspError.sanitize(in.text())
                        : handle(in.text());
                if (reply != null) {
                    channel.send(reply);
                }
                if (endReason != null) {
                    end = endReason;
                    break;
                }
            }
        } catch (IOException e) {
            end = "lost (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = "ended (server thread interrupted)";
        } catch (RuntimeException | Error e) {
            end = "ended by an internal error: " + e;
        } finally {
            channel.close();
            cleanUp();
            log.log(name + " " + end);
        }
    }

    private String handle(String packet) throws IOException {
        try {
            return dispatcher.lookup(packet).handle(packet);
        } catch (RspError e) {
            log.log(name + ": '" + PacketChannel.printable(Hex.abbreviate(packet)) + "' -> " + e.reply());
            return e.reply();
        } catch (RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            log.log(name + ": '" + PacketChannel.printable(Hex.abbreviate(packet)) + "' failed: " + message);
            return "E." + RspError.sanitize(message);
        }
    }

    private void cleanUp() {
        synchronized (runLock) {
            clientGone = true;
        }
        for (Breakpoint b : inserted) {
            try {
                target.removeBreakpoint(b.type(), b.address(), b.length());
            } catch (RuntimeException e) {
                log.log(name + ": removing a left-over breakpoint failed: " + e.getMessage());
            }
        }
        inserted.clear();
        try {
            target.detach();
        } catch (RuntimeException e) {
            log.log(name + ": target detach failed: " + e.getMessage());
        }
    }

    // ---- connection and threads ----------------------------------------------------------

    private String qSupported(String packet) {
        int colon = packet.indexOf(':');
        if (colon >= 0) {
            for (String feature : packet.substring(colon + 1).split(";")) {
                if (feature.equals("swbreak+")) {
                    swbreak = true;
                } else if (feature.equals("hwbreak+")) {
                    hwbreak = true;
                }
            }
        }
        StringBuilder sb = new StringBuilder("PacketSize=").append(Integer.toHexString(packetSize))
                .append(";QStartNoAckMode+;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+");
        if (target.canReverse()) {
            sb.append(";ReverseStep+;ReverseContinue+");
        }
        return sb.toString();
    }

    /** Thread ids GDB may use for our single thread: 1, -1 (all), 0 (any), p1.1 style. */
    private static boolean isOurThread(String id) {
        if (id.startsWith("p")) {
            int dot = id.indexOf('.');
            id = dot < 0 ? "-1" : id.substring(dot + 1);
        }
        return id.equals("1") || id.equals("-1") || id.equals("0") || id.equals("01");
    }

    private String setThread(String packet) {
        if (packet.length() < 2) {
            throw RspError.malformed("H needs an operation and a thread");
        }
        return isOurThread(packet.substring(2)) ? "OK" : "E.no such thread";
    }

    // ---- registers and memory --------------------------------------------------------------

    private String readRegisters() {
        X86Registers regs = new X86Registers();
        target.readRegisters(regs);
        return registers.encodeAll(regs);
    }

    private String readRegister(String packet) {
        int number = Hex.parseInt(packet.substring(1), Integer.MAX_VALUE);
        registers.register(number);      // unknown number -> error before asking the target
        X86Registers regs = new X86Registers();
        target.readRegisters(regs);
        return registers.encode(regs, number);
    }

    private String readMemory(String packet) {
        long address;
        int length;
        try {
            int comma = packet.indexOf(',');
            if (comma < 0) {
                throw RspError.malformed("m needs address,length");
            }
            address = Hex.parseLong(packet.substring(1, comma));
            length = Hex.parseInt(packet.substring(comma + 1), Integer.MAX_VALUE);
        } catch (RspError e) {
            throw RspError.code(RspError.EINVAL, e.getMessage());   // GDB wants Enn for 'm'
        }
        if (length > packetSize / 2) {
            throw RspError.code(RspError.EINVAL, "read of " + length + " bytes exceeds the packet size");
        }
        if (length == 0) {
            return "";
        }
        byte[] data = target.readMemory(address, length);
        if (data == null || data.length == 0) {
            return RspError.code(RspError.EFAULT, "unreadable").reply();   // routine for GDB: not logged
        }
        return Hex.encode(data, 0, Math.min(length, data.length));
    }

    private String refuseWrite(String packet) {
        log.log(name + ": refused a write ('" + PacketChannel.printable(Hex.abbreviate(packet)) + "')");
        String text = null;
        try {
            text = target.writeRefusal();
        } catch (RuntimeException e) {
            // fall back to the default
        }
        return "E." + RspError.sanitize(text == null || text.isBlank() ? DEFAULT_REFUSAL : text);
    }

    /** X addr,length:binary — decoded to validate it, then refused like M. */
    private String writeBinary(String packet) {
        int comma = packet.indexOf(',');
        int colon = packet.indexOf(':');
        if (comma < 0 || colon < comma) {
            throw RspError.malformed("X needs address,length:data");
        }
        Hex.parseLong(packet.substring(1, comma));
        int length = Hex.parseInt(packet.substring(comma + 1, colon), Integer.MAX_VALUE);
        byte[] raw = packet.getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = Frames.unescape(raw, colon + 1, raw.length);
        if (data.length != length) {
            throw RspError.malformed("X length " + length + " but " + data.length + " data bytes");
        }
        return refuseWrite(packet);
    }

    private String readFeatures(String packet) {
        String args = packet.substring("qXfer:features:read:".length());
        int colon = args.indexOf(':');
        int comma = args.indexOf(',', Math.max(colon, 0));
        if (colon < 0 || comma < 0) {
            throw RspError.malformed("qXfer read needs annex:offset,length");
        }
        if (!args.substring(0, colon).equals("target.xml")) {
            return "E00";
        }
        long offset = Hex.parseLong(args.substring(colon + 1, comma));
        int length = Hex.parseInt(args.substring(comma + 1), Integer.MAX_VALUE);
        return TargetDescription.xferChunk(description.xml(), offset, Math.min(length, packetSize - 1));
    }

    // ---- execution -------------------------------------------------------------------------

    private static String afterSignal(String packet) {
        int semi = packet.indexOf(';');
        Hex.parseInt(packet.substring(1, semi < 0 ? packet.length() : semi), 0xff);
        return semi < 0 ? "" : packet.substring(semi + 1);
    }

    private String resumeAt(String address, ResumeMode mode) throws IOException {
        if (!address.isEmpty()) {
            Hex.parseLong(address);
            return "E." + RspError.sanitize("cannot resume at another address: " + refuseWrite("resume at " + address).substring(2));
        }
        return resume(mode);
    }

    private String vCont(String packet) throws IOException {
        for (String action : packet.substring("vCont;".length()).split(";")) {
            int colon = action.indexOf(':');
            String verb = colon < 0 ? action : action.substring(0, colon);
            if (colon >= 0 && !isOurThread(action.substring(colon + 1))) {
                continue;
            }
            if (verb.isEmpty()) {
                throw RspError.malformed("empty vCont action");
            }
            switch (verb.charAt(0)) {
                case 'c', 'C' -> {
                    return resume(ResumeMode.CONTINUE);
                }
                case 's', 'S' -> {
                    return resume(ResumeMode.STEP);
                }
                default -> throw RspError.text("vCont action '" + verb.charAt(0) + "' is not supported");
            }
        }
        throw RspError.text("vCont names no action for thread 1");
    }

    /**
     * Runs the target on this thread until it stops. Meanwhile the reader thread turns a Ctrl-C
     * (or the client disconnecting) into {@link DebugTarget#interrupt()}.
     */
    private String resume(ResumeMode mode) throws IOException {
        boolean reverse = mode == ResumeMode.REVERSE_CONTINUE || mode == ResumeMode.REVERSE_STEP;
        if (reverse && !target.canReverse()) {
            throw RspError.text("reverse execution is not available on this target");
        }
        StopReason reason = null;
        synchronized (runLock) {
            if (clientGone) {
                return null;
            }
            if (pendingInterruptAfter >= sequence) {
                // Ctrl-C arrived after this resume packet but before we started running it.
                pendingInterruptAfter = -1;
                reason = StopReason.of(StopReason.Kind.INTERRUPTED);
            } else {
                running = true;
            }
        }
        if (reason == null) {
            try {
                reason = target.resume(mode);
            } catch (RuntimeException e) {
                String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                log.log(name + ": " + mode + " failed: " + message);
                console("LoRe: " + mode.name().toLowerCase().replace('_', ' ') + " failed: " + message + "\n");
            } finally {
                synchronized (runLock) {
                    running = false;
                    pendingInterruptAfter = -1;
                }
            }
        }
        lastStop = reason == null
                ? StopReplies.signal(StopReplies.SIGTRAP, "")
                : StopReplies.encode(reason, swbreak, hwbreak);
        return lastStop;
    }

    /** Reader thread: GDB sent Ctrl-C. */
    private void onInterrupt(long packetsReceived) {
        synchronized (runLock) {
            if (running) {
                interruptTarget();
            } else {
                // Not running yet (the resume packet may still be queued) or not any more.
                pendingInterruptAfter = packetsReceived;
            }
        }
    }

    /** Reader thread: the connection is gone; stop a run so the session can end. */
    private void onDisconnect() {
        synchronized (runLock) {
            clientGone = true;
            if (running) {
                interruptTarget();
            }
        }
    }

    private void interruptTarget() {
        try {
            target.interrupt();
        } catch (RuntimeException e) {
            log.log(name + ": target interrupt failed: " + e.getMessage());
        }
    }

    // ---- breakpoints -----------------------------------------------------------------------

    private String breakpoint(String packet, boolean insert) {
        // Z<type>,<addr>,<kind>[;cond...]
        int semi = packet.indexOf(';');
        String[] parts = (semi < 0 ? packet : packet.substring(0, semi)).substring(1).split(",", -1);
        if (parts.length != 3) {
            throw RspError.malformed("Z/z needs type,address,kind");
        }
        int z = Hex.parseInt(parts[0], 0xff);
        BreakpointType type = BreakpointType.ofZ(z);
        long address = Hex.parseLong(parts[1]);
        int length = Hex.parseInt(parts[2], Integer.MAX_VALUE);
        if (type == null) {
            return "";
        }
        Breakpoint b = new Breakpoint(type, address, length);
        if (insert) {
            if (!target.insertBreakpoint(type, address, length)) {
                return "";
            }
            inserted.add(b);
        } else {
            if (!target.removeBreakpoint(type, address, length)) {
                return "";
            }
            inserted.remove(b);
        }
        return "OK";
    }

    // ---- monitor ---------------------------------------------------------------------------

    private String monitor(String packet) throws IOException {
        String command;
        try {
            command = new String(Hex.decode(packet.substring("qRcmd,".length())), StandardCharsets.UTF_8);
        } catch (RspError e) {
            throw RspError.code(RspError.EINVAL, e.getMessage());
        }
        String output;
        try {
            output = target.monitor(command.strip());
        } catch (RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            // GDB's qRcmd accepts only "Enn" as an error, and shows no text for it: print first.
            console(message.endsWith("\n") ? message : message + "\n");
            log.log(name + ": monitor '" + Hex.abbreviate(command) + "' failed: " + message);
            return "E" + (e instanceof IllegalArgumentException ? "16" : "01");
        }
        if (output != null && !output.isEmpty()) {
            console(output.endsWith("\n") ? output : output + "\n");
        }
        return "OK";
    }

    /** Console output for GDB: 'O' packets (valid while GDB waits for qRcmd or a stop reply). */
    private void console(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int chunk = (packetSize - 2) / 2;
        for (int i = 0; i < bytes.length; i += chunk) {
            channel.send("O" + Hex.encode(bytes, i, Math.min(chunk, bytes.length - i)));
        }
    }
}
