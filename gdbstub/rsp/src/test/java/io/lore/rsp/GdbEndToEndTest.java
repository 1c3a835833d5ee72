package io.lore.rsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real GDB (13) against the server and the FakeTarget, driven by GDB Python scripts. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GdbEndToEndTest {
    static final Duration GDB_TIMEOUT = Duration.ofSeconds(45);

    @TempDir
    Path dir;
    final List<String> log = new CopyOnWriteArrayList<>();
    FakeTarget target;
    GdbServer server;
    Thread serving;

    @BeforeAll
    static void needGdb() {
        assumeTrue(GdbHarness.available(), "gdb not found at " + GdbHarness.GDB);
    }

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
    }

    GdbHarness.Result gdb(String body) throws Exception {
        GdbHarness.Result r = GdbHarness.run(dir, server.port(), body, GDB_TIMEOUT);
        assertTrue(r.passed(), "gdb script failed:\n" + r.output() + "\nserver log:\n" + String.join("\n", log));
        return r;
    }

    @Test
    void connectShowsRegistersIncludingSystemRegistersAndMemory() throws Exception {
        gdb("""
                regs = run("info registers")
                for name in ["rip", "rsp", "eflags", "cs", "fs_base", "gs_base", "cr0", "cr3", "cr4", "efer"]:
                    check(("\\n" + name + " ") in ("\\n" + regs), name + " missing from info registers:\\n" + regs)
                for expr, want in [("/x $cr3", "0x1234000"), ("$fs_base", "139637976731648"),
                                   ("/x $fs_base", "0x7f0000001000"), ("/x $efer", "0xd01")]:
                    got = value(expr)
                    check(got == want, "p %s = %s, want %s" % (expr, got, want))
                check(reg("efer") == 0xd01 and reg("cr0") == 0x80050033 and reg("cr2") == 0xdead000, "system regs")
                check(reg("gs_base") == 0xffff888000000000, hex(reg("gs_base")))
                check(reg("rbx") == 0x101 and reg("r15") == 0x10f and reg("rsp") == 0x3f00, "gprs")
                check(pc() == 0x1000, hex(pc()))
                rip = run("info registers rip")
                check(rip.split() == ["rip", "0x1000", "0x1000"], rip)
                check("PE" in run("p $cr0") and "LME" in run("p $efer"), "flag views")
                x = run("x/4gx 0x2000")
                check("0x1111111111111111\\t0x2222222222222222" in x and "0x3333333333333333\\t0x4444444444444444" in x, x)
                expect_error("x/gx 0x10", "Cannot access memory at address 0x10")
                """);
    }

    @Test
    void breakpointContinueReportsTheBreakpointAndStepiSteps() throws Exception {
        GdbHarness.Result r = gdb("""
                run("break *0x1010")
                run("continue")
                check(last_stop().get("bps") == [1], str(stops))
                check(pc() == 0x1010, hex(pc()))
                run("stepi")
                check(pc() == 0x1011, hex(pc()))
                run("stepi 3")
                check(pc() == 0x1014, hex(pc()))
                check(reg("rax") == 0x14, "rax follows the position")
                """);
        assertTrue(r.output().contains("Breakpoint 1, 0x0000000000001010 in ?? ()"), r.output());
        assertTrue(target.resumes.contains(ResumeMode.CONTINUE) && target.resumes.contains(ResumeMode.STEP));
        assertTrue(target.breakpoints.isEmpty(), "GDB removed its breakpoints: " + target.breakpoints);
    }

    @Test
    void reverseStepiAndReverseContinueReachTheTargetAndHistoryBeginIsShown() throws Exception {
        target.setPosition(0x20);
        GdbHarness.Result r = gdb("""
                check(pc() == 0x1020, hex(pc()))
                run("reverse-stepi")
                check(pc() == 0x101f, hex(pc()))
                run("break *0x1010")
                run("reverse-continue")
                check(pc() == 0x1010, hex(pc()))
                check(last_stop().get("bps") == [1], str(stops))
                run("delete")
                run("reverse-continue")
                check(pc() == 0x1000, hex(pc()))
                run("reverse-stepi")
                check(pc() == 0x1000, hex(pc()))
                """);
        assertTrue(r.output().contains("\nNo more reverse-execution history.\n"), r.output());
        assertTrue(target.resumes.contains(ResumeMode.REVERSE_STEP), target.resumes.toString());
        assertTrue(target.resumes.contains(ResumeMode.REVERSE_CONTINUE), target.resumes.toString());
        assertEquals(0, target.position());
    }

    @Test
    void continueToTheEndOfHistory() throws Exception {
        GdbHarness.Result r = gdb("""
                run("continue")
                check(pc() == 0x1100, hex(pc()))
                """);
        assertTrue(r.output().contains("No more reverse-execution history."), r.output());
    }

    @Test
    void watchpointHitsForwardAndInReverse() throws Exception {
        GdbHarness.Result r = gdb("""
                out = run("watch -l *(long*)0x2000")
                check("Hardware watchpoint 1" in out, out)
                run("continue")
                check(pc() == 0x1041, hex(pc()))
                check(last_stop().get("bps") == [1], str(stops))
                x = run("x/gx 0x2000")
                check(x.split()[-1] == "0x0000000000abcdef", x)
                run("reverse-continue")
                check(pc() == 0x1040, hex(pc()))
                x = run("x/gx 0x2000")
                check(x.split()[-1] == "0x1111111111111111", x)
                """);
        String out = r.output();
        assertTrue(out.contains("Hardware watchpoint 1: -location *(long*)0x2000\n\nOld value = 1229782938247303441\n"
                + "New value = 11259375"), out);
        assertTrue(out.contains("Old value = 11259375\nNew value = 1229782938247303441"), out);
    }

    @Test
    void monitorHelpShowsTheTargetsTextAndUnknownCommandsFail() throws Exception {
        GdbHarness.Result r = gdb("""
                out = run("monitor help")
                check("LoRe fake target monitor commands:" in out and "where  the current position" in out, out)
                where = run("monitor where")
                check(where.strip() == "position 0 of 256", where)
                expect_error("monitor frobnicate", "Protocol error with Rcmd")
                """);
        assertTrue(r.output().contains("unknown monitor command 'frobnicate'; try 'monitor help'"), r.output());
        assertEquals(List.of("help", "where", "frobnicate"), target.monitorCommands);
    }

    @Test
    void writesAreRefusedWithAnErrorGdbShows() throws Exception {
        gdb("""
                expect_error("set $rax = 1", 'Could not write register "rax"; remote failure reply '
                             "'E.LoRe replays are read-only: a write would break determinism'")
                expect_error("set var *(long*)0x2000 = 1", "Cannot access memory at address 0x2000")
                expect_error("set $pc = 0x1004", 'Could not write register "rip"')
                check(reg("rax") == 0 and pc() == 0x1000, "registers unchanged")
                check(run("x/gx 0x2000").split()[-1] == "0x1111111111111111", "memory unchanged")
                """);
        assertEquals(0x1111111111111111L, target.readLong(FakeTarget.DATA));
    }

    @Test
    void ctrlCInterruptsLongForwardAndReverseRuns() throws Exception {
        target.blockRuns = true;
        target.setPosition(0x30);
        GdbHarness.Result r = gdb("""
                for cmd in ["continue", "reverse-continue"]:
                    n = len(stops)
                    t0 = time.time()
                    sigint_after(0.5)
                    run(cmd)
                    check(len(stops) == n + 1, cmd + ": " + str(stops))
                    check(last_stop().get("signal") == "SIGINT", cmd + ": " + str(stops))
                    check(time.time() - t0 < 10, cmd + " took too long")
                check(pc() == 0x1030, hex(pc()))
                """);
        assertTrue(r.output().contains("Program received signal SIGINT, Interrupt."), r.output());
        assertEquals(2, target.interrupts.get());
        assertEquals(List.of(ResumeMode.CONTINUE, ResumeMode.REVERSE_CONTINUE), target.resumes);
    }

    @Test
    void reverseCommandsAreRefusedByGdbWhenTheTargetCannotReverse() throws Exception {
        target.reversible = false;
        gdb("""
                expect_error("reverse-stepi", "Target remote does not support this command.")
                expect_error("reverse-continue", "Target remote does not support this command.")
                """);
        assertTrue(target.resumes.isEmpty());
    }

    @Test
    void aSecondGdbIsRefusedWhileTheFirstStaysConnected() throws Exception {
        try (RspClient first = new RspClient(server.port())) {
            first.handshake();
            GdbHarness.Result r = GdbHarness.run(dir, server.port(), """
                    try:
                        gdb.execute("target remote 127.0.0.1:%d" % PORT)
                        print("CONNECTED")
                    except gdb.error as e:
                        print("CONNECT-FAILED: " + str(e))
                    """, GDB_TIMEOUT, false);
            assertTrue(r.output().contains("warning: Remote failure reply: E.LoRe: another GDB is already debugging "
                    + "this target (127.0.0.1:" + first.socket.getLocalPort() + "); only one client at a time"), r.output());
            assertTrue(r.output().contains("CONNECT-FAILED: Remote connection closed"), r.output());
            assertFalse(r.output().contains("CONNECTED\n"), r.output());
            assertEquals("T05thread:1;", first.request("?"), "the first client is undisturbed");
            assertEquals("1111111111111111", first.request("m2000,8"));
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("refused client 127.0.0.1:")), log.toString());
    }

    @Test
    void gdbKilledMidContinueLeavesTheServerAccepting() throws Exception {
        target.blockRuns = true;
        Process first = GdbHarness.start(dir, server.port(), """
                run("target remote 127.0.0.1:%d" % PORT)
                run("break *0x1080")
                run("continue")
                """, false);
        try {
            assertTrue(target.runStarted.await(30, TimeUnit.SECONDS), "the first GDB started a run");
        } finally {
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (target.detaches.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, target.interrupts.get(), "the run was interrupted when GDB vanished");
        assertEquals(1, target.detaches.get());
        assertTrue(target.breakpoints.isEmpty(), "its breakpoint was removed: " + target.breakpoints);
        target.blockRuns = false;
        gdb("""
                check(pc() == 0x1000, hex(pc()))
                run("stepi")
                check(pc() == 0x1001, hex(pc()))
                """);
    }
}
