package io.lore.replay.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.lore.kvm.ExitReason;
import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.RunArea;
import io.lore.machine.CrashReporter;
import io.lore.machine.LoopObserver;
import io.lore.machine.Machine;
import io.lore.machine.MachineConfig;
import io.lore.machine.PcPlatform;
import io.lore.machine.RunResult;
import io.lore.machine.VcpuLoop;
import io.lore.machine.devices.Clock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Test helper: one of the built guests (guests/build) booted on the real /dev/kvm, run by the
 * machine's own run loop in segments. Its position is the number of VM exits since boot along the
 * current timeline (set back when a checkpoint is restored). Every segment is bounded by a time
 * limit, so a broken guest or restore fails a test instead of hanging it.
 */
final class TestGuest implements AutoCloseable {
    static final Duration TIME_LIMIT = Duration.ofSeconds(30);

    final Machine machine;
    final DirtyPageTracker tracker;
    final VcpuStateSupport support;
    private PcPlatform platform;
    private ByteArrayOutputStream serial;
    private long position;

    private TestGuest(Machine machine) {
        this.machine = machine;
        this.tracker = new DirtyPageTracker(machine.vm(), machine.memory());
        this.support = VcpuStateSupport.probe(machine.kvm(), machine.vcpu());
        freshDevices();
    }

    static Path path(String name) {
        Path p = Path.of(System.getProperty("lore.guests.dir", "../../guests/build"), name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: build the guests first (make -C guests)");
        }
        return p;
    }

    static TestGuest boot(String name, String cmdline, int memoryMiB) throws Exception {
        return new TestGuest(Machine.boot(MachineConfig.of(path(name)).withCmdline(cmdline).withMemoryMiB(memoryMiB)));
    }

    KvmVcpu vcpu() { return machine.vcpu(); }
    GuestMemory memory() { return machine.memory(); }
    long position() { return position; }

    /** After a restore: the guest is at {@code p} again. */
    void position(long p) { this.position = p; }

    /** New devices and a new serial buffer (device state is not part of a checkpoint). */
    void freshDevices() {
        serial = new ByteArrayOutputStream();
        platform = new PcPlatform(Clock.HOST, machine.memory().size(), serial, null);
    }

    /** Everything the guest wrote to COM1 on these devices so far. */
    byte[] serial() {
        platform.close(); // flushes the UART's output buffer; the UART keeps working
        return serial.toByteArray();
    }

    /** Runs until the guest ends or reaches position {@code until}; {@code atExit} sees each handled exit's position. */
    RunResult runTo(long until, LongConsumer atExit) {
        return run(until, atExit, false, TIME_LIMIT);
    }

    /** Runs to the end of the guest. */
    RunResult runToEnd(LongConsumer atExit) {
        return run(Long.MAX_VALUE, atExit, false, TIME_LIMIT);
    }

    /**
     * Runs until the next PIO IN exit after {@code from}, and stops there with the IN still
     * pending in KVM (the run loop has put the data in the run area, KVM has not completed it).
     */
    RunResult runToPendingIn(long from) {
        return run(Long.MAX_VALUE, null, true, TIME_LIMIT, from);
    }

    RunResult run(long until, LongConsumer atExit, boolean stopAtIn, Duration limit) {
        return run(until, atExit, stopAtIn, limit, 0);
    }

    private RunResult run(long until, LongConsumer atExit, boolean stopAtIn, Duration limit, long inFrom) {
        if (position >= until) {
            return null;
        }
        KvmVcpu vcpu = machine.vcpu();
        VcpuLoop loop = new VcpuLoop(vcpu, platform, Clock.HOST, limit.toNanos(), new CrashReporter(vcpu, machine.memory()));
        long start = position;
        RunArea run = vcpu.runArea();
        loop.setObserver(new LoopObserver() {
            @Override
            public void afterExit(int reason) {
                position = start + loop.exits();
                if (atExit != null) {
                    atExit.accept(position);
                }
                boolean in = reason == ExitReason.IO && run.ioDirection() == RunArea.IO_IN;
                if (position >= until || (stopAtIn && in && position > inFrom)) {
                    loop.requestStop();
                }
            }
        });
        RunResult r = loop.runToEnd();
        position = start + loop.exits();
        if (r.outcome() == RunResult.Outcome.CRASHED) {
            fail("guest crashed at position " + position + ": " + r.detail());
        }
        return r;
    }

    /** A byte-exact copy of guest memory (zero pages left out) and the vCPU, for comparisons. */
    record Snapshot(long position, byte[][] pages, VcpuState vcpu) {}

    Snapshot snapshot() {
        GuestMemory mem = machine.memory();
        int n = (int) (mem.size() / DirtyPageTracker.PAGE_SIZE);
        byte[][] pages = new byte[n][];
        ByteBuffer zero = ByteBuffer.wrap(new byte[DirtyPageTracker.PAGE_SIZE]);
        for (int p = 0; p < n; p++) {
            ByteBuffer b = mem.buffer((long) p * DirtyPageTracker.PAGE_SIZE, DirtyPageTracker.PAGE_SIZE);
            if (b.mismatch(zero) != -1) {
                pages[p] = new byte[DirtyPageTracker.PAGE_SIZE];
                b.get(0, pages[p]);
            }
        }
        return new Snapshot(position, pages, VcpuState.capture(machine.vcpu(), support));
    }

    /** Pages whose content now differs from {@code s}. */
    List<Integer> differingPages(Snapshot s) {
        GuestMemory mem = machine.memory();
        List<Integer> diff = new ArrayList<>();
        byte[] zero = new byte[DirtyPageTracker.PAGE_SIZE];
        for (int p = 0; p < s.pages().length; p++) {
            ByteBuffer b = mem.buffer((long) p * DirtyPageTracker.PAGE_SIZE, DirtyPageTracker.PAGE_SIZE);
            if (b.mismatch(ByteBuffer.wrap(s.pages()[p] == null ? zero : s.pages()[p])) != -1) {
                diff.add(p);
            }
        }
        return diff;
    }

    /** Memory byte-identical to the snapshot, and the vCPU identical (the TSC aside). */
    void assertMatches(Snapshot s, String what) {
        List<Integer> diff = differingPages(s);
        if (!diff.isEmpty()) {
            fail(what + ": " + diff.size() + " pages differ from the copy taken at position " + s.position()
                    + ", first: " + diff.subList(0, Math.min(10, diff.size())).stream()
                            .map(p -> String.format("0x%x", (long) p * DirtyPageTracker.PAGE_SIZE)).toList());
        }
        assertVcpuMatches(s.vcpu(), VcpuState.capture(machine.vcpu(), support), what);
    }

    static void assertVcpuMatches(VcpuState expected, VcpuState actual, String what) {
        List<String> d = expected.differences(actual, VcpuStateSupport.MSR_IA32_TSC);
        assertEquals(List.of(), d, what + ": vCPU state differs");
    }

    @Override
    public void close() {
        platform.close();
        machine.close();
    }
}
