package io.lore.replay;

import io.lore.kvm.ExitReason;
import io.lore.kvm.KvmException;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.RunArea;
import io.lore.log.Event;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingReader;
import io.lore.log.StatePoint;
import io.lore.machine.Machine;
import io.lore.machine.MachineConfig;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Replays a recording without device models: every synchronous exit is checked against the
 * next logged event and fed the logged data; each interrupt is injected where it was
 * recorded — right at its exit, or at the first point after that exit whose full state
 * matches (found with a hardware breakpoint at the recorded RIP); digests are compared.
 * The first mismatch ends the replay with a {@link Divergence}.
 */
public final class Replayer implements AutoCloseable {
    /** How a replay ended. */
    public record Result(Outcome outcome, Divergence divergence, long exits, long events, long digestsChecked,
            long serialBytes, long nanos, long breakpointHits) {
        public boolean verified() {
            return outcome == Outcome.VERIFIED;
        }
    }

    public enum Outcome {
        /** Reached the recorded end, every check and digest matched. */
        VERIFIED,
        /** The recording was cut short or damaged: its whole readable prefix replayed exactly. */
        PREFIX_VERIFIED,
        DIVERGED,
        STOPPED
    }

    private static final long DR7_L0 = 0x1, DR7_RESERVED_ONE = 0x400;

    private final RecordingReader recording;
    private final Machine machine;
    private final KvmVcpu vcpu;
    private final RunArea run;
    private final EventStream events;
    private final SerialTap serial;
    private final CpuDigest cpuDigest;
    private final MemoryDigest memoryDigest;
    private long ordinal;
    private boolean atSyncExit;
    private long digests;
    private long breakpointHits;
    private int debugMode = -1;
    private long armedRip;
    private boolean steppingOver;
    private volatile boolean stopRequested;
    private volatile boolean stalled;
    /** The guest branch counter when the recording has branch counts and this host a PMU; else null. */
    private io.lore.replay.pmu.GuestBranchCounter branches;
    private long stallNanos = DEFAULT_STALL_NANOS;

    /** With no event consumed for this long, the guest has gone somewhere the recording never went. */
    public static final long DEFAULT_STALL_NANOS = 60_000_000_000L;

    public Replayer(RecordingReader recording, OutputStream serialOut) {
        this.recording = recording;
        RecordingHeader h = recording.header();
        MachineConfig config = MachineConfig.of(Path.of(h.kernelName())).withCmdline(h.cmdline())
                .withMemoryMiB(h.memoryMiB());
        this.machine = Machine.boot(config, recording.kernel(), recording.initrd(), CpuidConversion.fromHeader(h.cpuid()));
        this.vcpu = machine.vcpu();
        this.run = vcpu.runArea();
        this.events = new EventStream(recording.events());
        this.serial = new SerialTap(serialOut);
        this.cpuDigest = new CpuDigest(vcpu);
        this.memoryDigest = new MemoryDigest(machine.vm(), machine.memory());
    }

    public Machine machine() {
        return machine;
    }

    /** From any thread: stop at the next exit. */
    public void stop() {
        stopRequested = true;
        vcpu.kick();
    }

    /** How long replay may go without consuming an event before it reports a divergence. */
    public void setStallTimeout(long nanos) {
        this.stallNanos = nanos;
    }

    public Result run() {
        vcpu.bindToCurrentThread();
        long start = System.nanoTime();
        Thread watchdog = startStallWatchdog();
        BranchCounting counting = RecordingHeader.POSITIONING_BRANCH_COUNTER.equals(recording.header().positioning())
                ? BranchCounting.openOnCurrentThread() : null;
        branches = counting == null ? null : counting.counter().orElse(null);
        try {
            Outcome o = loop();
            return result(o, null, start);
        } catch (DivergenceException d) {
            return result(Outcome.DIVERGED, d.divergence, start);
        } catch (KvmException e) {
            return result(Outcome.DIVERGED, divergence("the replay to continue", "KVM failed: " + e.getMessage()), start);
        } finally {
            if (counting != null) {
                counting.close();
            }
            watchdog.interrupt();
            serial.flush();
        }
    }

    /** Kicks the vCPU out of a guest that makes no progress through the log (a divergence that never exits). */
    private Thread startStallWatchdog() {
        Thread t = new Thread(() -> {
            long seen = -1;
            long since = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(200);
                    long now = events.progress();
                    if (now != seen) {
                        seen = now;
                        since = System.nanoTime();
                    } else if (System.nanoTime() - since > stallNanos) {
                        stalled = true;
                        vcpu.kick();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // replay over
            }
        }, "lore-replay-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Result result(Outcome o, Divergence d, long start) {
        return new Result(o, d, ordinal, events.index(), digests, serial.bytes(), System.nanoTime() - start, breakpointHits);
    }

    private Outcome loop() {
        while (true) {
            if (stopRequested) {
                return Outcome.STOPPED;
            }
            // Events due at the current point, before the guest runs on.
            Event next = events.peek();
            while (next != null) {
                if (next instanceof Event.SerialInput) {
                    events.take();
                } else if (next instanceof Event.Digest d && atSyncExit && d.ordinal() == ordinal) {
                    checkDigest(d);
                    events.take();
                } else if (next instanceof Event.End e && e.ordinal() == ordinal) {
                    events.take();
                    return Outcome.VERIFIED;
                } else {
                    break;
                }
                next = events.peek();
            }
            if (next == null) {
                return recording.state() == RecordingReader.State.COMPLETE ? Outcome.VERIFIED : Outcome.PREFIX_VERIFIED;
            }
            if (next instanceof Event.Interrupt i && i.at() == null && atSyncExit && i.ordinal() == ordinal) {
                inject(i);
                next = events.peek();
            }
            StatePoint target = next instanceof Event.Interrupt i && i.at() != null && i.ordinal() == ordinal ? i.at() : null;
            setDebug(farFromBranchTarget(target) ? null : target);

            int reason = vcpu.run();
            atSyncExit = Recorder.isSynchronous(reason);
            if (atSyncExit) {
                ordinal++;
                if (target != null) {
                    throw new DivergenceException(divergence(
                            "interrupt 0x" + Integer.toHexString(((Event.Interrupt) next).vector()) + " at state " + target
                                    + " before exit " + ordinal,
                            "the guest reached exit " + ordinal + " (" + ExitReason.name(reason) + ") without passing that state"));
                }
                steppingOver = false;
            }
            switch (reason) {
                case ExitReason.IO -> replayPio();
                case ExitReason.MMIO -> replayMmio();
                case ExitReason.HLT -> expect(Event.Halt.class, "HLT");
                case ExitReason.SHUTDOWN -> {
                    Event e = events.peek();
                    // the recording ends here too: its final digest (compared at the loop top), then End
                    boolean digestFirst = e instanceof Event.Digest d && d.ordinal() == ordinal;
                    if (!digestFirst && !(e instanceof Event.End end && end.reason() == Event.EndReason.CRASHED)) {
                        throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                                "triple fault (KVM_EXIT_SHUTDOWN)"));
                    }
                }
                case ExitReason.DEBUG -> onDebugExit(target);
                case ExitReason.INTR -> {
                    if (stalled) {
                        throw new DivergenceException(divergence(next == null ? "end of recording" : EventFormat.describe(next),
                                String.format("no progress for %.0f s: the guest runs without reaching the next "
                                        + "recorded event (%d breakpoint hits)", stallNanos / 1e9, breakpointHits)));
                    }
                    // otherwise a stop request: the loop top sees it
                }
                default -> throw new DivergenceException(divergence(
                        next == null ? "end of recording" : EventFormat.describe(next), "VM exit " + ExitReason.name(reason)));
            }
        }
    }

    /**
     * With a branch counter, a target far ahead in branches is approached at full speed: the
     * counter's overflow kicks the vCPU out a skid margin before it, and only then is the
     * breakpoint armed. Without one (or without a count) the breakpoint is armed at once.
     */
    private boolean farFromBranchTarget(StatePoint target) {
        if (branches == null || target == null || target.branches() < 0) {
            return false;
        }
        if (branches.read() < target.branches() - branches.margin()) {
            branches.armOverflowAt(target.branches());
            return true;
        }
        branches.disarm();
        return false;
    }

    private void onDebugExit(StatePoint target) {
        if (steppingOver) {
            steppingOver = false;
            return;
        }
        breakpointHits++;
        if (branches != null && target != null && target.branches() >= 0) {
            long count = branches.read();
            if (count > target.branches()) {
                throw new DivergenceException(divergence("state " + target + " at branch " + target.branches(),
                        "branch " + count + " passed without reaching that state"));
            }
            if (count < target.branches()) {
                steppingOver = true;
                return;
            }
        }
        if (target != null && target.registersMatch(cpuDigest.generalRegisters())
                && cpuDigest.systemHash() == target.systemHash() && memoryDigest.current() == target.memoryHash()) {
            inject((Event.Interrupt) events.peek());
        } else {
            steppingOver = true; // not this pass: step over the instruction with the breakpoint off
        }
    }

    private void inject(Event.Interrupt i) {
        if (!run.ifFlag() || !run.readyForInterruptInjection()) {
            throw new DivergenceException(divergence(EventFormat.describe(i),
                    "the guest cannot take an interrupt here (IF=" + (run.ifFlag() ? 1 : 0) + ")"));
        }
        events.take();
        vcpu.interrupt(i.vector());
    }

    private void setDebug(StatePoint target) {
        int mode;
        long rip = 0;
        if (steppingOver) {
            mode = KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_SINGLESTEP;
        } else if (target != null) {
            mode = KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_USE_HW_BP;
            rip = target.rip();
        } else {
            mode = 0;
        }
        if (mode == debugMode && rip == armedRip) {
            return;
        }
        long[] dr = null;
        if ((mode & KvmVcpu.GUESTDBG_USE_HW_BP) != 0) {
            dr = new long[8];
            dr[0] = rip;
            dr[7] = DR7_L0 | DR7_RESERVED_ONE;
        }
        vcpu.setGuestDebug(mode, dr);
        debugMode = mode;
        armedRip = rip;
    }

    private void replayPio() {
        int port = run.ioPort();
        int size = run.ioSize();
        int count = run.ioCount();
        boolean in = run.ioDirection() == RunArea.IO_IN;
        for (int k = 0; k < count; k++) {
            Event e = events.peek();
            String actual = String.format("%s port 0x%04x size %d", in ? "IN" : "OUT", port, size);
            if (in) {
                if (!(e instanceof Event.PioIn p) || p.ordinal() != ordinal || p.port() != port || p.size() != size) {
                    throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e), actual));
                }
                run.ioData(k, p.value());
            } else {
                int value = run.ioData(k);
                if (!(e instanceof Event.PioOut p) || p.ordinal() != ordinal || p.port() != port || p.size() != size
                        || p.value() != value) {
                    throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                            actual + " <- 0x" + Integer.toHexString(value)));
                }
                serial.pioOut(port, value);
            }
            events.take();
        }
    }

    private void replayMmio() {
        long address = run.mmioAddress();
        int length = run.mmioLength();
        Event e = events.peek();
        if (run.mmioIsWrite()) {
            if (!(e instanceof Event.MmioWrite m) || m.ordinal() != ordinal || m.address() != address || m.size() != length) {
                throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                        String.format("MMIO write 0x%x size %d", address, length)));
            }
        } else {
            if (!(e instanceof Event.MmioRead m) || m.ordinal() != ordinal || m.address() != address || m.size() != length) {
                throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e),
                        String.format("MMIO read 0x%x size %d", address, length)));
            }
            run.mmioData(m.value());
        }
        events.take();
    }

    private void expect(Class<? extends Event> kind, String actual) {
        Event e = events.peek();
        if (!kind.isInstance(e) || e.ordinal() != ordinal) {
            throw new DivergenceException(divergence(e == null ? "end of recording" : EventFormat.describe(e), actual));
        }
        events.take();
    }

    private void checkDigest(Event.Digest d) {
        digests++;
        long cpu = cpuDigest.fullHash();
        long mem = memoryDigest.current();
        if (cpu != d.cpuHash() || mem != d.memoryHash()) {
            throw new DivergenceException(divergence(EventFormat.describe(d),
                    String.format("cpu %016x memory %016x%s", cpu, mem, cpu != d.cpuHash() ? " (registers differ)"
                            : " (memory differs)")));
        }
    }

    private Divergence divergence(String expected, String actual) {
        return new Divergence(ordinal, events.index(), expected, actual, events.recent());
    }

    private static final class DivergenceException extends RuntimeException {
        final Divergence divergence;

        DivergenceException(Divergence d) {
            super(d.describe(), null, false, false);
            this.divergence = d;
        }
    }

    @Override
    public void close() {
        machine.close();
    }
}
