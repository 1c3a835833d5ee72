package io.lore.machine;

import static io.lore.machine.GuestRunner.assertChecksPassed;
import static io.lore.machine.GuestRunner.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.kvm.ExitReason;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The device test guests (guests/pit.c, pic.c, uart.c, rtc.c, spin.c, exits.c) on the real
 * /dev/kvm: each checks a device model from inside the guest and prints "ok"/"FAIL" lines; here
 * we demand that every check passed, that the interrupt counts the guests print are right, and
 * (through a loop observer) how the interrupts reached the guest.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeviceGuestsTest {

    /** Records the run loop's exits ("E" + reason) and injections ("I" + vector), in order. */
    static final class Trace implements LoopObserver {
        final List<String> events = new ArrayList<>();
        int injections;

        @Override
        public void onExit(int reason) {
            events.add("E" + reason);
        }

        @Override
        public void beforeInjection(int vector) {
            injections++;
            events.add("I" + vector);
        }

        long exits(int reason) {
            return events.stream().filter(e -> e.equals("E" + reason)).count();
        }

        long injectionsOf(int vector) {
            return events.stream().filter(e -> e.equals("I" + vector)).count();
        }
    }

    private static int intGroup(GuestRunner.Run r, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + "$").matcher(r.output());
        assertTrue(m.find(), () -> "no line matching " + regex + "\n" + r.describe());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void pitChannelsModesAndTickCounts() throws Exception {
        Trace trace = new Trace();
        GuestRunner.Run r = GuestRunner.guest("pit").observer(trace).run();
        assertEquals(17, assertChecksPassed(r, "pit", 17));
        assertLine(r, "ok ch0 mode 2: 20 IRQ0 interrupts counted with sti;hlt");
        assertLine(r, "ok ch0 mode 3: 10 IRQ0 interrupts counted with sti;hlt");
        assertLine(r, "ok ch0 mode 0 one-shot fired exactly once in 20 ms");
        assertEquals(20, intGroup(r, "pit: mode 2: (\\d+) ticks, \\d+ halts"));
        assertEquals(10, intGroup(r, "pit: mode 3: (\\d+) ticks, \\d+ halts"));
        // 20 + 10 + 1 counted ticks, plus the stale ones drain_irq0() lets in between modes
        long irq0 = trace.injectionsOf(0x20);
        assertTrue(irq0 >= 31 && irq0 <= 40, () -> irq0 + " IRQ0 injections\n" + r.describe());
        assertEquals(irq0, trace.injections, "only IRQ0 is unmasked in the pit guest");
        assertTrue(trace.exits(ExitReason.HLT) >= 30, "ticks were counted with sti;hlt");
    }

    @Test
    void picMaskingPriorityEoiAndCascade() throws Exception {
        Trace trace = new Trace();
        GuestRunner.Run r = GuestRunner.guest("pic").observer(trace).run();
        assertChecksPassed(r, "pic", 26);
        assertLine(r, "pic: ICW1-ICW4 sent, vector bases 0x20/0x28");
        assertLine(r, "ok masked IRQ0 not delivered (10 ms with IF=1)");
        assertLine(r, "ok first: IRQ0 (vector 0x20, higher priority)");
        assertLine(r, "ok second: IRQ4 (vector 0x24)");
        assertLine(r, "pic: spurious interrupts seen: IRQ7 0, IRQ15 0");
        assertTrue(trace.injectionsOf(0x24) >= 1, "the UART's THRE interrupt came in on vector 0x24");
        assertTrue(trace.injectionsOf(0x20) >= 3, "IRQ0 was delivered at least three times");
    }

    @Test
    void uartRegistersAndInterruptDrivenEcho() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("uart").input("hello\nquit\n").run();
        assertChecksPassed(r, "uart", 16);
        assertLine(r, "echo: hello");
        assertLine(r, "echo: quit");
        assertTrue(r.output().contains("uart: 2 lines, 11 bytes, "), r::describe);
    }

    @Test
    void uartInputAfterBootArrivesByInterrupt() throws Exception {
        // Input that arrives once the guest waits for it (IRQ4 enabled) must come in by interrupt.
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed);
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        Thread writer = new Thread(() -> {
            try (feed) {
                long until = System.nanoTime() + 30_000_000_000L;
                while (!serial.toString(StandardCharsets.ISO_8859_1).contains("echoing lines") && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                feed.write("late line\n".getBytes(StandardCharsets.US_ASCII));
                feed.flush();
                Thread.sleep(50);
                feed.write("quit\n".getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                // the assertions below report what the guest saw
            }
        }, "uart-test-feed");
        writer.setDaemon(true);
        writer.start();
        GuestRunner.Run r = GuestRunner.guest("uart").cmdline("idle_ms=5000").input(in).serialOut(serial).run();
        assertChecksPassed(r, "uart", 16);
        assertLine(r, "echo: late line");
        assertLine(r, "echo: quit");
        int irqs = intGroup(r, "uart: 2 lines, 15 bytes, (\\d+) receive interrupts");
        assertTrue(irqs >= 1, r::describe);
    }

    @Test
    void uartWithoutSerialInputStillTerminates() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("uart").cmdline("idle_ms=200").run(); // no input stream at all
        assertChecksPassed(r, "uart", 16);
        assertLine(r, "no input");
        assertLine(r, "uart: 0 lines, 0 bytes, 0 receive interrupts");
        assertTrue(r.result().nanos() < 10_000_000_000L, r::describe);
    }

    @Test
    void rtcReadsAPlausibleUtcDateInBcdAndBinary() throws Exception {
        LocalDate before = LocalDate.now(ZoneOffset.UTC);
        GuestRunner.Run r = GuestRunner.guest("rtc").run();
        LocalDate after = LocalDate.now(ZoneOffset.UTC);
        assertChecksPassed(r, "rtc", 20);
        Matcher m = Pattern.compile("(?m)^rtc: (\\d{4}-\\d{2}-\\d{2}) \\d{2}:\\d{2}:\\d{2} \\(BCD mode\\)$").matcher(r.output());
        assertTrue(m.find(), r::describe);
        LocalDate shown = LocalDate.parse(m.group(1));
        assertTrue(!shown.isBefore(before) && !shown.isAfter(after), () -> "RTC date " + shown + " is not today (UTC)");
        assertTrue(r.output().contains("(binary mode)"), r::describe);
    }

    /**
     * Timer interrupts must reach a guest that computes without causing a single VM exit: the
     * IRQ0s are injected while the vCPU's RIP is inside spin() (the loop that polls the tick
     * counter with no I/O and no hlt), each right after the run loop kicked the vCPU out of
     * KVM_RUN (KVM_EXIT_INTR) or KVM opened the interrupt window: never at an exit of the
     * guest's own. Of the 10 ticks the first may be taken just before spin() is called (it is
     * already pending at the sti), so at least 9 must land inside it.
     */
    @Test
    void spinGetsTimerInterruptsWithoutExits() throws Exception {
        long[] spin = GuestRunner.symbol(GuestRunner.guestPath("spin"), "spin");
        Trace trace = new Trace();
        List<String> inSpin = new ArrayList<>();
        GuestRunner.Run r = GuestRunner.guest("spin").observer(trace).observerFor(m -> new LoopObserver() {
            private int lastExit = -1;

            @Override
            public void onExit(int reason) {
                lastExit = reason;
            }

            @Override
            public void beforeInjection(int vector) {
                long rip = m.vcpu().getRegs().rip();
                if (rip >= spin[0] && rip < spin[1]) {
                    inSpin.add(ExitReason.name(lastExit));
                }
            }
        }).run();
        assertChecksPassed(r, "spin", 2);
        assertLine(r, "ok timer interrupts while spinning");
        assertEquals(10, intGroup(r, "spin: (\\d+) ticks after \\d+ iterations, checksum 0x[0-9a-f]{16}"));
        assertTrue(inSpin.size() >= 9, () -> inSpin.size() + " interrupts injected inside spin() "
                + Long.toHexString(spin[0]) + "-" + Long.toHexString(spin[1]) + "\n" + r.describe());
        assertTrue(inSpin.stream().allMatch(e -> e.equals("KVM_EXIT_INTR") || e.equals("KVM_EXIT_IRQ_WINDOW_OPEN")),
                () -> "exits before the injections inside spin(): " + inSpin);
        assertTrue(trace.exits(ExitReason.INTR) >= 9, "the run loop kicked the vCPU out for the timer");
    }

    @Test
    void exitsGuestMakesAtLeastNExits() throws Exception {
        Trace trace = new Trace();
        GuestRunner.Run r = GuestRunner.guest("exits").cmdline("n=1000").observer(trace).run();
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals(1, r.result().exitStatus(), r::describe);
        assertLine(r, "exits: 1000 OUTs to port 0x80");
        assertLine(r, "done 1000");
        assertTrue(r.result().exits() >= 1000, r::describe);
        assertTrue(trace.exits(ExitReason.IO) >= 1000, "each OUT to port 0x80 is a PIO exit");
        assertEquals(r.result().exits(), trace.events.stream().filter(e -> e.startsWith("E")).count(),
                "RunResult.exits counts every KVM_RUN return");
    }

    @Test
    void exitsGuestReadsAHexCount() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("exits").cmdline("n=0x20").run();
        assertLine(r, "done 32");
        assertTrue(r.result().exits() >= 32 && r.result().exits() < 1000, r::describe);
    }
}
