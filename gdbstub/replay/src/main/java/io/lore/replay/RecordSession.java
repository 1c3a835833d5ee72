package io.lore.replay;

import io.lore.kmod.KernelCapture;
import io.lore.kmod.LoreAbi;
import io.lore.log.Codec;
import io.lore.log.RecordingHeader;
import io.lore.log.RecordingSummary;
import io.lore.log.RecordingWriter;
import io.lore.machine.CrashReporter;
import io.lore.machine.Machine;
import io.lore.machine.MachineConfig;
import io.lore.machine.PcPlatform;
import io.lore.machine.RunResult;
import io.lore.machine.VcpuLoop;
import io.lore.machine.devices.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * One recording: boots the guest on the live PC with the recorder in the loop, streams events
 * to the file through the ring and the writer thread, and finishes the file with its footer.
 * The boot images go into the file, so it replays on another machine.
 */
public final class RecordSession {
    /** What the status line shows; read from another thread, so figures may lag a little. */
    public record Status(double seconds, long exits, long events, long bytes) {}

    /** How the recording ended and what it holds. */
    public record Result(RunResult run, Path file, long events, long bytes, long exits, long deferredInjections,
            long movedToReturnPoints, String failure, String positioning, String positioningNote, String capture, String captureNote) {}

    private final MachineConfig config;
    private final Path out;
    private final Codec codec;
    private long interruptDelayNanos = DEFAULT_INTERRUPT_DELAY_NANOS;
    private volatile VcpuLoop loop;
    private volatile boolean stopRequested;
    private volatile RecordingWriter writer;
    private volatile long startNanos;

    /**
     * How much later than due a timer interrupt may reach a guest that computes, by default.
     * Measured on this host's bench guests: irqio computing ~0.4 ms between exits then takes
     * nearly every tick at an exit, and the demo's ticks inside memset wait for its return,
     * while a tick kicked in a loop costs replay some 0.6–1.4 ms of breakpoint hits.
     */
    public static final long DEFAULT_INTERRUPT_DELAY_NANOS = 500_000;

    public RecordSession(MachineConfig config, Path out, Codec codec) {
        this.config = config;
        this.out = out;
        this.codec = codec;
    }

    /**
     * How much later than due a timer interrupt may reach a guest that computes without exits,
     * so that it lands where replay finds it cheaply: the first third waits for the guest's next
     * VM exit (the vCPU is kicked after it), the other two for a function the kick found it in
     * to return ({@link ReturnPoint}; one more third as a last chance when the guest is then in a
     * function it has not waited for); an exit meanwhile ends the wait. 0 delivers at once:
     * every interrupt that arrives while the guest computes is then positioned by its state
     * where the kick found it. Ignored with a branch counter, which positions those cheaply.
     */
    public RecordSession interruptDelay(java.time.Duration d) {
        this.interruptDelayNanos = Math.max(0, d.toNanos());
        return this;
    }

    public Status status() {
        VcpuLoop l = loop;
        RecordingWriter w = writer;
        if (l == null || w == null) {
            return new Status(0, 0, 0, 0);
        }
        return new Status((System.nanoTime() - startNanos) / 1e9, l.exits(), w.eventsWritten(), w.bytesWritten());
    }

    /** From any thread (Ctrl-C): end the recording cleanly at the next exit. */
    public void stop() {
        stopRequested = true;
        VcpuLoop l = loop;
        if (l != null) {
            l.requestStop();
        }
    }

    public Result run(OutputStream serialOut, InputStream serialIn) throws IOException {
        byte[] kernel = Machine.readImage(config.kernel(), "kernel");
        byte[] initrd = config.initrd() == null ? null : Machine.readImage(config.initrd(), "initrd");
        try (Machine machine = Machine.boot(config, kernel, initrd);
             BranchCounting counting = BranchCounting.openOnCurrentThread()) {
            // lore.ko when it is loaded: RDTSC becomes replayable; else everything is captured here
            KernelCapture.Attempt kc = KernelCapture.attach(machine.vm().fd(), LoreAbi.MODE_RECORD);
            try (KernelCapture unused = kc.capture()) {
                return record(machine, counting, kc, kernel, initrd, serialOut, serialIn);
            }
        }
    }

    private Result record(Machine machine, BranchCounting counting, KernelCapture.Attempt kc, byte[] kernel,
            byte[] initrd, OutputStream serialOut, InputStream serialIn) throws IOException {
        String capture = kc.capture() != null ? RecordingHeader.CAPTURE_KERNEL : RecordingHeader.CAPTURE_USER_SPACE;
        RecordingHeader header = new RecordingHeader("LoRe " + Version.get(), System.currentTimeMillis(),
                config.memoryMiB(), config.cmdline(), config.kernel().getFileName().toString(),
                config.initrd() == null ? "" : config.initrd().getFileName().toString(),
                counting.positioning(), capture, codec, hostName(),
                CpuidConversion.toHeader(machine.cpuid()));
        try (RecordingWriter w = RecordingWriter.create(out, header, kernel, initrd)) {
            writer = w;
            PcPlatform pc = new PcPlatform(Clock.HOST, machine.memory().size(), serialOut, serialIn);
            EventRing ring = new EventRing(1 << 16);
            Recorder recorder = new Recorder(pc, ring, machine);
            KernelRecording kernelRecording = kc.capture() == null ? null : new KernelRecording(kc.capture(), ring);
            recorder.useKernelCapture(kernelRecording);
            pc.onSerialInput(recorder::serialInput);
            counting.counter().ifPresent(recorder::useBranchCounter);
            long delay = counting.counter().isPresent() ? 0 : interruptDelayNanos;
            long share = delay / (ReturnPoint.ATTEMPTS + 1); // the kick's, then each wait's for a return
            recorder.setReturnWait(share);
            LogWriterThread logWriter = new LogWriterThread(ring, w);
            long limit = config.timeLimit() == null ? 0 : config.timeLimit().toNanos();
            VcpuLoop l = new VcpuLoop(machine.vcpu(), recorder, Clock.HOST, limit, new CrashReporter(machine.vcpu(), machine.memory()));
            l.setObserver(recorder);
            l.setKickDelay(delay - ReturnPoint.ATTEMPTS * share);
            loop = l;
            if (stopRequested) { // a stop before the loop existed (Ctrl-C while booting): it ends at once
                l.requestStop();
            }
            startNanos = System.nanoTime();
            logWriter.start();
            pc.startInput(l::wake);
            Thread watchdog = watchWriter(logWriter, l);
            RunResult result = l.runToEnd();
            watchdog.interrupt();
            recorder.end(result);
            String failure = null;
            try {
                var counts = logWriter.close();
                w.finish(new RecordingSummary(result.nanos(), recorder.ordinal(), w.eventsWritten(), counts,
                        recorder.lastCpuHash(), recorder.lastMemoryHash(),
                        io.lore.log.Event.EndReason.valueOf(result.outcome().name()), result.exitStatus(),
                        recorder.serialBytes()));
            } catch (IOException e) {
                failure = "writing the recording failed: " + e.getMessage() + "; the file is readable up to event "
                        + w.eventsWritten();
            }
            if (logWriter.failure() != null && failure == null) {
                failure = "writing the recording failed: " + logWriter.failure().getMessage();
            }
            if (kernelRecording != null && failure == null) {
                failure = kernelRecording.loss();
            }
            return new Result(result, out, w.eventsWritten(), w.bytesWritten(), recorder.ordinal(),
                    recorder.deferredInjections(), recorder.movedToReturnPoints(), failure, counting.positioning(), counting.note(), capture,
                    kernelRecording == null ? kc.note() : kc.note() + "; " + kernelRecording.tscEvents() + " RDTSC values logged");
        }
    }

    /** Stops the guest if the writer fails (disk full): better a shorter recording than a silent gap. */
    private static Thread watchWriter(LogWriterThread logWriter, VcpuLoop l) {
        Thread t = new Thread(() -> {
            try {
                while (logWriter.failure() == null) {
                    Thread.sleep(50);
                }
                l.requestStop();
            } catch (InterruptedException e) {
                // recording over
            }
        }, "lore-writer-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName() + " (" + System.getProperty("os.name") + " "
                    + System.getProperty("os.version") + ")";
        } catch (IOException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }
}
