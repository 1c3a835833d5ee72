package io.lore.machine;

import static io.lore.machine.GuestRunner.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a run ends, on the real /dev/kvm: debug-exit values and their status mapping
 * ((v << 1) | 1), the demo's planted bug, a triple fault reported as a crash with registers,
 * and the time limit cutting off guests that halt, exit a lot, or compute.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunOutcomeTest {
    @TempDir
    Path dir;

    @Test
    void debugExitZeroIsStatusOne() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("hello").run();
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals(1, r.result().exitStatus());
        assertTrue(r.result().detail().contains("0x0"), r.result().detail());
    }

    /** bzload without a module panics: lore_panic writes 0x70, status (0x70 << 1) | 1 = 225. */
    @Test
    void debugExitPanicValueMapsToStatus225() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("bzload").run();
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals((0x70 << 1) | 1, r.result().exitStatus(), r::describe);
        assertTrue(r.result().detail().contains("0x70"), r.result().detail());
        assertLine(r, "PANIC: bzload: no module (pass the bzImage with -initrd)");
    }

    /**
     * The demo kernel (two threads switched by the PIT) finds its planted corruption at record
     * 1024 and exits with 3 (status 7). Its output is timing-independent: it must equal
     * guests/demo/expected-output.txt byte for byte.
     */
    @Test
    void demoFindsThePlantedBugWithTimingIndependentOutput() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("demo").run();
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals((3 << 1) | 1, r.result().exitStatus(), r::describe);
        Path expected = GuestRunner.guestsDir().resolve("../demo/expected-output.txt");
        assertEquals(Files.readString(expected, StandardCharsets.ISO_8859_1), r.output(), "demo output vs " + expected);
    }

    @Test
    void tripleFaultIsACrashWithARegisterDump() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("triple").run();
        assertEquals(RunResult.Outcome.CRASHED, r.result().outcome(), r::describe);
        assertEquals(RunResult.STATUS_CRASHED, r.result().exitStatus());
        assertEquals("about to triple fault\n", r.output(), "nothing runs after the fault");
        String d = r.result().detail();
        assertTrue(d.contains("triple fault"), d);
        assertTrue(d.matches("(?s).*rip=[0-9a-f]{16}.*"), d);
        assertTrue(d.contains("rsp") && d.contains("cr0=") && d.contains("idt=0/0"), "registers, and the empty IDT: " + d);
    }

    /** uart waiting 100 s for input spends its time in sti;hlt: the limit must end the halt. */
    @Test
    void timeLimitEndsAHaltedGuest() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("uart").cmdline("idle_ms=100000").timeLimit(Duration.ofMillis(300)).run();
        assertTimeLimit(r, 300);
        assertLine(r, "uart: echoing lines until \"quit\" (interrupt-driven, IRQ4); idle timeout 100000 ms");
    }

    /** exits with 10^9 OUTs: the limit must end a guest that exits all the time. */
    @Test
    void timeLimitEndsAnExitHeavyGuest() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("exits").cmdline("n=1000000000").timeLimit(Duration.ofMillis(50)).run();
        assertTimeLimit(r, 50);
        assertTrue(r.output().startsWith("exits: 1000000000 OUTs"), r::describe);
        assertTrue(!r.output().contains("done"), r::describe);
    }

    /** A kernel that is one `jmp .`: it never exits by itself; the limit must still end it. */
    @Test
    void timeLimitEndsAGuestThatNeverExits() throws Exception {
        Path k = Files.write(dir.resolve("loop.elf"), GuestRunner.tinyElf(new byte[] {(byte) 0xeb, (byte) 0xfe}, true));
        GuestRunner.Run r = GuestRunner.kernel(k).timeLimit(Duration.ofMillis(50)).run();
        assertTimeLimit(r, 50);
        assertEquals("", r.output());
    }

    /** `cli; hlt`: nothing can ever wake the guest, so the run ends: HALTED, status 0. */
    @Test
    void haltWithInterruptsDisabledEndsTheRun() throws Exception {
        Path k = Files.write(dir.resolve("halt.elf"), GuestRunner.tinyElf(new byte[] {(byte) 0xfa, (byte) 0xf4}, true));
        GuestRunner.Run r = GuestRunner.kernel(k).run();
        assertEquals(RunResult.Outcome.HALTED, r.result().outcome(), r::describe);
        assertEquals(0, r.result().exitStatus(), r::describe);
        assertTrue(r.result().detail().contains("interrupts disabled"), r.result().detail());
    }

    /**
     * Debug-exit writes of other values and sizes, as QEMU's isa-debug-exit maps them:
     * status = ((value << 1) | 1) in 32 bits, of which a process keeps the low 8 bits.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "outb 0x2a,       b02ae6f4,     85",   // mov al,0x2a; out 0xf4,al
        "outb 0xff,       b0ffe6f4,    255",   // 0x1ff -> low 8 bits
        "outw 0x1234,     66b8341266e7f4, 105", // mov ax,0x1234; out 0xf4,ax: 0x2469 -> 0x69
        "outb 0x01 to 0xf5, b001e6f5,    3"     // any of the 4 ports
    })
    void debugExitStatusMapping(String what, String hex, int status) throws Exception {
        Path k = Files.write(dir.resolve("exit.elf"), GuestRunner.tinyElf(HexFormat.of().parseHex(hex + "faf4"), true));
        GuestRunner.Run r = GuestRunner.kernel(k).run();
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals(status, r.result().exitStatus(), what);
    }

    private static void assertTimeLimit(GuestRunner.Run r, long limitMillis) {
        assertEquals(RunResult.Outcome.TIME_LIMIT, r.result().outcome(), r::describe);
        assertEquals(124, r.result().exitStatus(), r::describe);
        assertTrue(r.result().detail().contains("time limit"), r.result().detail());
        long ms = r.result().nanos() / 1_000_000;
        assertTrue(ms >= limitMillis && ms < limitMillis + 2000, () -> "ended after " + ms + " ms: " + r.describe());
    }
}
