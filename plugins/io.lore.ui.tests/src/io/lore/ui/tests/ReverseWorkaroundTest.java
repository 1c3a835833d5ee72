package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lore.cdt.ReverseWorkaround;
import io.lore.rsp.GdbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Eclipse bug 324069, reproduced and worked around with the real gdb: GDB is driven exactly as
 * CDT drives it (the "Generic TCP/IP" device's {@code -target-select remote}, the user init
 * command that sources the bridge's script, CDT's {@code record full} when reverse is toggled
 * on, CDT's {@code -interpreter-exec console "reverse-stepi 1"} and {@code reverse-continue}),
 * against LoRe's GDB protocol server over a natively reverse-capable target.
 */
class ReverseWorkaroundTest {
    static final String GDB = System.getProperty("lore.gdb", "gdb");

    private static final class Served implements AutoCloseable {
        final ToyTarget target = new ToyTarget(100, 50);
        final GdbServer server;

        Served() throws Exception {
            server = new GdbServer(target, "127.0.0.1", 0);
            Thread t = new Thread(server::serveForever, "toy-gdb-server");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static long pc(GdbMi gdb) throws Exception {
        String v = gdb.evaluate("$pc");
        // "(void (*)()) 0x100032" or "0x100032 <sym>"
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("0x([0-9a-f]+)").matcher(v);
        assertTrue(m.find(), "no address in '" + v + "'");
        return Long.parseLong(m.group(1), 16);
    }

    @Test
    void withoutTheWorkaroundCdtCannotTurnReverseOn() throws Exception {
        assumeTrue(GdbMi.available(GDB), "gdb not found");
        try (Served s = new Served(); GdbMi gdb = new GdbMi(GDB)) {
            assertTrue(GdbMi.result(gdb.send("-target-select remote 127.0.0.1:" + s.server.port())).startsWith("^connected"),
                    gdb.transcript());
            assertEquals(ToyTarget.BASE + 50, pc(gdb));
            // A bare-metal x86-64 target (no OS ABI) has no process-record support in GDB: CDT's
            // toggle fails ("Trace method could not be selected") and its reverse buttons stay off.
            String r = GdbMi.result(gdb.send("record full"));
            assertTrue(r.startsWith("^error") && r.contains("record"), gdb.transcript());
        }
    }

    @Test
    void withTheWorkaroundCdtsReverseCommandsReachTheServer() throws Exception {
        cdtSequenceWithWorkaround(null);
    }

    @Test
    void withTheWorkaroundAlsoUnderAnotherOsAbi() throws Exception {
        cdtSequenceWithWorkaround("GNU/Linux");
    }

    private static void cdtSequenceWithWorkaround(String osabi) throws Exception {
        assumeTrue(GdbMi.available(GDB), "gdb not found");
        Path dir = Files.createTempDirectory("lore cdt script"); // a space: GDB's source takes the rest of the line
        Path script = ReverseWorkaround.write(dir);
        try (Served s = new Served(); GdbMi gdb = new GdbMi(GDB)) {
            if (osabi != null) {
                gdb.send("set osabi " + osabi);
            }
            assertTrue(GdbMi.result(gdb.send("-target-select remote 127.0.0.1:" + s.server.port())).startsWith("^connected"),
                    gdb.transcript());
            assertTrue(GdbMi.result(gdb.send(ReverseWorkaround.sourceCommand(script))).startsWith("^done"), gdb.transcript());
            // CDT's toggle on: must succeed, or CDT keeps its reverse buttons disabled
            assertTrue(GdbMi.result(gdb.send(ReverseWorkaround.CDT_RECORD_ON)).startsWith("^done"), gdb.transcript());
            long before = pc(gdb);
            gdb.run("-interpreter-exec console \"reverse-stepi 1\"");
            assertEquals(1, s.target.reverseSteps, "CDT's reverse step did not reach the server:\n" + gdb.transcript());
            assertEquals(before - 1, pc(gdb));
            gdb.run("-interpreter-exec console \"stepi 1\"");
            assertEquals(before, pc(gdb));
            List<String> rc = gdb.run("-interpreter-exec console reverse-continue");
            assertEquals(1, s.target.reverseContinues, gdb.transcript());
            assertEquals(ToyTarget.BASE, pc(gdb));
            assertTrue(String.join("\n", rc).contains("No more reverse-execution history"),
                    "GDB should report the beginning of history:\n" + rc);
            // CDT's toggle off, then on again: both still succeed, reverse still goes to the server
            assertTrue(GdbMi.result(gdb.send(ReverseWorkaround.CDT_RECORD_OFF)).startsWith("^done"), gdb.transcript());
            assertTrue(GdbMi.result(gdb.send(ReverseWorkaround.CDT_RECORD_ON)).startsWith("^done"), gdb.transcript());
            gdb.run("-interpreter-exec console \"stepi 1\"");
            gdb.run("-interpreter-exec console \"reverse-stepi 1\"");
            assertEquals(2, s.target.reverseSteps, gdb.transcript());
            assertEquals(ToyTarget.BASE, pc(gdb));
        }
    }
}
