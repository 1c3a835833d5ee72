package io.lore.rsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server driven packet by packet from a raw socket, against the FakeTarget. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProtocolTest {
    final List<String> log = new CopyOnWriteArrayList<>();
    FakeTarget target;
    GdbServer server;
    Thread serving;

    @BeforeEach
    void start() throws IOException {
        target = new FakeTarget().writeAt(0x40, FakeTarget.DATA, 0xabcdef);
        server = new GdbServer(target, "127.0.0.1", 0, log::add);
        serving = new Thread(server::serveForever, "test-server");
        serving.setDaemon(true);
        serving.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        serving.join(5000);
        assertFalse(serving.isAlive(), "serveForever returns after close()");
    }

    RspClient connect() throws IOException {
        RspClient c = new RspClient(server.port());
        c.handshake();
        return c;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    static String hex(String s) {
        return Hex.encodeText(s);
    }

    @Test
    void handshakeAndQueries() throws IOException {
        try (RspClient c = new RspClient(server.port())) {
            String features = c.handshake();
            for (String f : List.of("PacketSize=4000", "QStartNoAckMode+", "qXfer:features:read+", "hwbreak+",
                    "swbreak+", "ReverseStep+", "ReverseContinue+", "vContSupported+")) {
                assertTrue(List.of(features.split(";")).contains(f), f + " in " + features);
            }
            assertEquals("T05thread:1;", c.request("?"));
            assertEquals("1", c.request("qAttached"));
            assertEquals("1", c.request("qAttached:1"));
            assertEquals("QC1", c.request("qC"));
            assertEquals("m1", c.request("qfThreadInfo"));
            assertEquals("l", c.request("qsThreadInfo"));
            assertEquals("OK", c.request("Hg0"));
            assertEquals("OK", c.request("Hc-1"));
            assertEquals("OK", c.request("Hg1"));
            assertTrue(c.request("Hg2").startsWith("E"));
            assertEquals("OK", c.request("T1"));
            assertTrue(c.request("T2").startsWith("E"));
            assertEquals("vCont;c;C;s;S", c.request("vCont?"));
            assertEquals("", c.request("vMustReplyEmpty"));
            assertEquals("", c.request("qTStatus"));
            assertEquals("", c.request("!"));
            assertEquals("", c.request("qCRC:0,1"));
            assertEquals("E00", c.request("qXfer:features:read:other.xml:0,100"));
            StringBuilder xml = new StringBuilder();
            for (int offset = 0; ; ) {
                String part = c.request("qXfer:features:read:target.xml:" + Integer.toHexString(offset) + ",3e8");
                xml.append(part.substring(1));
                offset += part.length() - 1;
                if (part.startsWith("l")) {
                    break;
                }
                assertTrue(part.startsWith("m"));
            }
            assertEquals(TargetDescription.X86_64.xml(), xml.toString());
        }
    }

    @Test
    void noReverseFeaturesWhenTheTargetCannotReverse() throws IOException {
        target.reversible = false;
        try (RspClient c = new RspClient(server.port())) {
            String features = c.handshake();
            assertFalse(features.contains("Reverse"), features);
            assertTrue(c.request("bc").startsWith("E.reverse execution is not available"));
            assertTrue(target.resumes.isEmpty());
        }
    }

    @Test
    void registersAndMemory() throws IOException {
        try (RspClient c = connect()) {
            X86Registers regs = new X86Registers();
            target.readRegisters(regs);
            assertEquals(new RegisterCodec(TargetDescription.X86_64).encodeAll(regs), c.request("g"));
            assertEquals("0010000000000000", c.request("p10"));                                  // rip
            int cr3 = TargetDescription.X86_64.register("cr3").number();
            assertEquals("0040230100000000", c.request("p" + Integer.toHexString(cr3)));
            assertTrue(c.request("p999").startsWith("E."));
            assertEquals("1111111111111111", c.request("m2000,8"));
            assertEquals("11111111111111112222", c.request("m2000,a"));
            assertEquals("00".repeat(8), c.request("m3ff8,10"), "partial read at the end of memory");
            assertEquals("E0e", c.request("m0,8"), "unreadable");
            assertEquals("E0e", c.request("mffffffffffffff00,8"));
            assertEquals("E16", c.request("m0,ffffffff"), "absurd length");
            assertEquals("E16", c.request("m2000,2001"), "more than a packet can carry");
            String largest = c.request("m1000,2000");                               // the largest read GDB makes
            assertEquals(0x4000, largest.length());
            assertTrue(largest.startsWith("90".repeat(FakeTarget.LENGTH) + "00"));
            assertEquals("E16", c.request("m"));
            assertEquals("E16", c.request("m2000"));
            assertEquals("E16", c.request("mzz,1"));
            assertEquals("E16", c.request("m2000,"));
            assertEquals("E16", c.request("m11112222333344445,1"));
        }
    }

    @Test
    void writesAreRefusedWithTheTargetsText() throws IOException {
        String refusal = "E." + FakeTarget.REFUSAL;
        try (RspClient c = connect()) {
            assertEquals(refusal, c.request("G" + "00".repeat(600)));
            assertEquals(refusal, c.request("P0=0100000000000000"));
            assertEquals(refusal, c.request("M2000,1:00"));
            assertEquals(refusal, c.request("X2000,0:"));
            c.sendEscaped("X2000,2:}]}\u0003");                            // escaped '}' and '#'
            assertEquals(refusal, c.readPacket());
            c.sendEscaped("X2000,3:}]");
            assertTrue(c.readPacket().startsWith("E.malformed"), "length mismatch");
            c.sendEscaped("X2000,1:}");
            assertTrue(c.readPacket().startsWith("E.malformed"), "dangling escape");
            assertTrue(c.request("c1000").startsWith("E."), "resuming elsewhere would write rip");
            assertEquals(0x1111111111111111L, target.readLong(FakeTarget.DATA));
            assertTrue(target.resumes.isEmpty());
        }
    }

    @Test
    void malformedPacketsGetErrorsAndTheSessionGoesOn() throws IOException {
        try (RspClient c = connect()) {
            for (String bad : List.of("Z0", "Z0,zz,1", "z0,1000", "Zq,1,1", "p", "pzz", "H", "Hg",
                    "qXfer:features:read:target.xml", "qXfer:features:read:target.xml:zz,10",
                    "vCont;", "vCont;x", "vCont;c:2", "Cxyz", "S1ff")) {
                String reply = c.request(bad);
                assertTrue(reply.startsWith("E"), bad + " -> " + reply);
            }
            assertEquals("E16", c.request("qRcmd,zz"));
            assertEquals("", c.request("Z9,1000,1"), "unknown breakpoint type: unsupported");
            assertEquals("", c.request("\u0001\u00ff garbage"));
            assertEquals("T05thread:1;", c.request("?"));
            assertTrue(target.resumes.isEmpty());
            assertTrue(target.breakpoints.isEmpty());
        }
    }

    @Test
    void randomPacketsNeverKillTheSession() throws IOException {
        java.util.Random random = new java.util.Random(42);
        String[] prefixes = {"m", "M", "X", "g", "G", "p", "P", "Z", "z", "H", "T", "q", "Q", "v", "?", "c", "s",
            "C", "S", "bc", "bs", "vCont;", "vCont?", "qSupported:", "qXfer:features:read:target.xml:",
            "qXfer:features:read:", "qRcmd,", "qAttached", "", "\u0003"};
        String alphabet = "0123456789abcdefABCDEFxyz,:;-.}*#$\u0000\u00ff ";
        try (RspClient c = connect()) {
            for (int i = 0; i < 3000; i++) {
                StringBuilder sb = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
                int n = random.nextInt(10) == 0 ? random.nextInt(2000) : random.nextInt(24);
                for (int k = 0; k < n; k++) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String packet = sb.toString();
                if (packet.startsWith("D") || packet.startsWith("k") || packet.startsWith("vKill")) {
                    continue;
                }
                c.send(packet);
                String reply = c.readPacket();
                while (reply.startsWith("O") && !reply.equals("OK")) {     // console output comes first
                    reply = c.readPacket();
                }
                assertTrue(reply.length() <= GdbServer.PACKET_SIZE + 1, packet);
            }
            assertEquals("1", c.request("qAttached"));
        }
        assertTrue(log.stream().noneMatch(l -> l.contains("internal error")), log.toString());
    }

    @Test
    void ackModeBadChecksumsAndRetransmission() throws IOException {
        try (RspClient c = new RspClient(server.port())) {
            c.writeRaw("+");                                        // GDB's initial ack
            c.writeRaw("$?#00");
            assertEquals('-', c.readByte(), "bad checksum is refused");
            c.send("?");
            assertEquals('+', c.readByte());
            c.ackMode = false;                                      // answer this one by hand
            assertEquals("T05thread:1;", c.readPacket());
            c.writeRaw("-");                                        // ask for a retransmission
            assertEquals("T05thread:1;", c.readPacket());
            c.writeRaw("+");
            c.ackMode = true;
            assertEquals("1", c.request("qAttached"));
            assertEquals("OK", c.request("QStartNoAckMode"));
            c.ackMode = false;
            c.writeRaw("+");                                        // GDB acks the OK; ignored
            c.send("qAttached");
            assertEquals("1", c.readPacket(), "no ack in no-ack mode");
            c.writeRaw("$?#00");
            assertEquals("E.bad checksum", c.readPacket(), "in no-ack mode a bad packet gets an error");
        }
    }

    @Test
    void oversizedAndRunLengthEncodedInput() throws IOException {
        try (RspClient c = connect()) {
            String reply = c.request("m" + "1".repeat(3 * GdbServer.PACKET_SIZE));
            assertTrue(reply.startsWith("E.packet too long"), reply);
            c.send("X2000,100:" + "a".repeat(GdbServer.PACKET_SIZE));
            assertTrue(c.readPacket().startsWith("E.packet too long"));
            assertEquals("T05thread:1;", c.request("?"), "the session survives");
            // "0*!" is '0' and four more: m2000,000008
            String rle = "m2000,0*!8";
            c.writeRaw("$" + rle + "#" + String.format("%02x", Frames.checksum(rle.getBytes(StandardCharsets.ISO_8859_1), 0, rle.length())));
            assertEquals("1111111111111111", c.readPacket());
            String badRle = "*!m";
            c.writeRaw("$" + badRle + "#" + String.format("%02x", Frames.checksum(badRle.getBytes(StandardCharsets.ISO_8859_1), 0, 3)));
            assertEquals("E.bad run-length encoding", c.readPacket());
            assertTrue(log.stream().anyMatch(l -> l.contains("longer than")), log.toString());
        }
    }

    @Test
    void executionBreakpointsWatchpointsAndHistoryEnds() throws IOException {
        try (RspClient c = connect()) {
            assertEquals("OK", c.request("Z0,1010,1"));
            assertEquals(List.of(new FakeTarget.Bp(BreakpointType.SOFTWARE, 0x1010, 1)), target.breakpoints);
            assertEquals("T05thread:1;swbreak:;", c.request("vCont;c"));
            assertEquals(0x10, target.position());
            assertEquals("T05thread:1;", c.request("vCont;s:1"));
            assertEquals("T05thread:1;", c.request("vCont;s:p1.1;c"));
            assertEquals("T05thread:1;", c.request("s"));
            assertEquals("T05thread:1;", c.request("S05"));
            assertEquals(0x14, target.position());
            assertEquals("T05thread:1;", c.request("bs"));
            assertEquals("T05thread:1;swbreak:;", c.request("bc"));
            assertEquals(0x10, target.position());
            assertEquals("OK", c.request("z0,1010,1"));
            assertTrue(target.breakpoints.isEmpty());
            assertEquals("T05thread:1;replaylog:begin;", c.request("bc"));
            assertEquals("T05thread:1;replaylog:begin;", c.request("bs"));
            assertEquals("OK", c.request("Z1,1020,1"));
            assertEquals("T05thread:1;hwbreak:;", c.request("c"));
            assertEquals("OK", c.request("z1,1020,1"));
            assertEquals("OK", c.request("Z2,2000,8"));
            assertEquals("T05thread:1;watch:2000;", c.request("C05"));
            assertEquals(0x41, target.position());
            assertEquals("T05thread:1;watch:2000;", c.request("bc"), "reverse stops before the write");
            assertEquals(0x40, target.position());
            assertEquals("OK", c.request("z2,2000,8"));
            assertEquals("T05thread:1;replaylog:end;", c.request("vCont;c"));
            assertEquals("T05thread:1;replaylog:end;", c.request("?"), "? repeats the last stop");
            assertEquals(List.of(ResumeMode.CONTINUE, ResumeMode.STEP, ResumeMode.STEP, ResumeMode.STEP,
                    ResumeMode.STEP, ResumeMode.REVERSE_STEP, ResumeMode.REVERSE_CONTINUE,
                    ResumeMode.REVERSE_CONTINUE, ResumeMode.REVERSE_STEP, ResumeMode.CONTINUE,
                    ResumeMode.CONTINUE, ResumeMode.REVERSE_CONTINUE, ResumeMode.CONTINUE), target.resumes);
            synchronized (target) {
                target.script.add(StopReason.exited(3));
            }
            assertEquals("W03", c.request("c"));
        }
    }

    @Test
    void ctrlCInterruptsLongForwardAndReverseRuns() throws Exception {
        target.blockRuns = true;
        try (RspClient c = connect()) {
            for (String run : List.of("vCont;c", "bc", "c")) {
                target.runStarted = new java.util.concurrent.CountDownLatch(1);
                c.send(run);
                assertTrue(target.runStarted.await(5, TimeUnit.SECONDS));
                Thread.sleep(50);
                long t0 = System.nanoTime();
                c.writeRaw("\u0003");
                assertEquals("T02thread:1;", c.readPacket(), run);
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            }
            assertEquals(3, target.interrupts.get());
            assertEquals("T02thread:1;", c.request("?"));
        }
    }

    @Test
    void ctrlCRightBehindTheResumePacketIsNotLostAndAStaleOneIsIgnored() throws Exception {
        target.blockRuns = true;
        try (RspClient c = connect()) {
            // Resume packet and ^C in one write: the ^C may arrive before the run starts.
            c.writeRaw(new String(Frames.frame("vCont;c".getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1) + "\u0003");
            assertEquals("T02thread:1;", c.readPacket());
            // A ^C while stopped (e.g. GDB's ^C crossing our stop reply) must not stop the next run.
            target.blockRuns = false;
            int before = target.interrupts.get();
            c.writeRaw("\u0003");
            assertEquals("T05thread:1;", c.request("vCont;s:1"));
            assertEquals(before, target.interrupts.get());
        }
    }

    @Test
    void monitorCommandsUseConsoleOutput() throws IOException {
        try (RspClient c = connect()) {
            c.send("qRcmd," + hex("help"));
            String o = c.readPacket();
            assertTrue(o.startsWith("O"), o);
            String text = new String(Hex.decode(o.substring(1)), StandardCharsets.UTF_8);
            assertTrue(text.contains("LoRe fake target monitor commands"), text);
            assertEquals("OK", c.readPacket());
            c.send("qRcmd," + hex("where"));
            assertEquals("position 0 of 256\n", new String(Hex.decode(c.readPacket().substring(1)), StandardCharsets.UTF_8));
            assertEquals("OK", c.readPacket());
            c.send("qRcmd," + hex("frobnicate"));
            o = c.readPacket();
            assertTrue(new String(Hex.decode(o.substring(1)), StandardCharsets.UTF_8).contains("unknown monitor command 'frobnicate'"));
            assertEquals("E16", c.readPacket());
            assertEquals(List.of("help", "where", "frobnicate"), target.monitorCommands);
        }
    }

    @Test
    void aSecondClientIsRefusedAndTheFirstIsUndisturbed() throws Exception {
        try (RspClient first = connect()) {
            assertEquals("OK", first.request("Z0,1010,1"));
            try (RspClient second = new RspClient(server.port())) {
                second.send("qSupported:swbreak+");
                assertEquals('+', second.readByte());
                second.ackMode = false;
                String reply = second.readPacket();
                assertTrue(reply.startsWith("E.LoRe: another GDB is already debugging this target"), reply);
                assertTrue(second.closedByServer());
            }
            try (RspClient third = new RspClient(server.port())) {          // one that never speaks
                assertEquals('+', third.readByte());
                third.ackMode = false;
                assertTrue(third.readPacket().startsWith("E.LoRe: another GDB"));
            }
            assertEquals("T05thread:1;", first.request("?"));
            assertEquals("T05thread:1;swbreak:;", first.request("c"));
            assertTrue(log.stream().filter(l -> l.contains("refused client")).count() >= 2, log.toString());
            assertEquals(0, target.detaches.get());
        }
    }

    @Test
    void aClientDisconnectingMidRunLeavesTheServerAccepting() throws Exception {
        target.blockRuns = true;
        RspClient first = connect();
        assertEquals("OK", first.request("Z0,1010,1"));
        assertEquals("OK", first.request("Z2,2000,8"));
        first.send("vCont;c");
        assertTrue(target.runStarted.await(5, TimeUnit.SECONDS));
        first.close();
        await(() -> target.interrupts.get() == 1, "the run is interrupted");
        await(() -> target.detaches.get() == 1, "the session ends");
        assertTrue(target.breakpoints.isEmpty(), "left-over breakpoints are removed: " + target.breakpoints);
        target.blockRuns = false;
        try (RspClient second = connect()) {
            assertEquals("T05thread:1;", second.request("?"), "a new session starts stopped");
            assertEquals("T05thread:1;", second.request("s"));
        }
    }

    @Test
    void detachAndKillEndTheSession() throws Exception {
        try (RspClient c = connect()) {
            assertEquals("OK", c.request("D"));
            assertTrue(c.closedByServer());
        }
        await(() -> target.detaches.get() == 1, "detach");
        try (RspClient c = connect()) {
            c.send("k");
            assertTrue(c.closedByServer());
        }
        await(() -> target.detaches.get() == 2, "kill");
        try (RspClient c = connect()) {
            assertEquals("OK", c.request("vKill;1"));
            assertTrue(c.closedByServer());
        }
        await(() -> target.detaches.get() == 3, "vKill");
        assertTrue(log.stream().anyMatch(l -> l.endsWith(" detached")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.endsWith(" killed the session")), log.toString());
    }

    @Test
    void targetFailuresBecomeErrorRepliesNotDeadSessions() throws Exception {
        server.close();
        serving.join(5000);
        FakeTarget broken = new FakeTarget() {
            @Override
            public void readRegisters(X86Registers into) {
                throw new IllegalStateException("vCPU state unavailable");
            }

            @Override
            public StopReason resume(ResumeMode mode) {
                if (mode == ResumeMode.STEP) {
                    return null;
                }
                throw new IllegalStateException("divergence at exit 42");
            }

            @Override
            public byte[] readMemory(long address, int length) {
                throw new RuntimeException();
            }
        };
        server = new GdbServer(broken, null, 0, log::add);
        serving = new Thread(server::serveForever);
        serving.setDaemon(true);
        serving.start();
        try (RspClient c = connect()) {
            assertEquals("E.vCPU state unavailable", c.request("g"));
            assertEquals("E.RuntimeException", c.request("m1000,1"));
            c.send("vCont;c");
            String o = c.readPacket();
            assertTrue(new String(Hex.decode(o.substring(1)), StandardCharsets.UTF_8).contains("divergence at exit 42"));
            assertEquals("T05thread:1;", c.readPacket());
            assertEquals("T05thread:1;", c.request("s"), "a null stop reason is reported as a plain stop");
            assertEquals("1", c.request("qAttached"));
        }
    }

    @Test
    void serveOneServesOneClientAndCloseReleasesAWaitingCall() throws Exception {
        server.close();
        serving.join(5000);
        try (GdbServer one = new GdbServer(target, 0)) {
            assertTrue(one.address().getAddress().isLoopbackAddress(), "127.0.0.1 by default");
            AtomicReference<Boolean> served = new AtomicReference<>();
            Thread t = new Thread(() -> served.set(one.serveOne()));
            t.start();
            try (RspClient c = new RspClient(one.port())) {
                c.handshake();
                assertTrue(one.isClientConnected());
                assertEquals("OK", c.request("D"));
            }
            t.join(5000);
            assertEquals(Boolean.TRUE, served.get());
            Thread waiting = new Thread(() -> served.set(one.serveOne()));
            waiting.start();
            Thread.sleep(100);
            one.close();
            waiting.join(5000);
            assertEquals(Boolean.FALSE, served.get());
        }
    }
}
