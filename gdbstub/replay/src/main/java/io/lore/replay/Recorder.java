package io.lore.replay;

import io.lore.kvm.ExitReason;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Sregs;
import io.lore.log.Event;
import io.lore.log.EventKind;
import io.lore.machine.LoopObserver;
import io.lore.machine.Machine;
import io.lore.machine.Platform;
import io.lore.machine.RunResult;

/**
 * Captures every non-deterministic input of a live run into the event ring: it wraps the
 * live platform (logging what the guest reads and writes) and observes the run loop (counting
 * synchronous exits and positioning each injected interrupt). Runs on the vCPU thread only.
 */
final class Recorder implements Platform, LoopObserver {
    static final long DIGEST_INTERVAL_NANOS = io.lore.log.RecordingFormat.DIGEST_INTERVAL_NANOS;

    private final Platform live;
    private final EventRing ring;
    private final KvmVcpu vcpu;
    private final Machine machine;
    private final MemoryDigest memoryDigest;
    private final CpuDigest cpuDigest;
    private final Sregs sregs = new Sregs();
    private final io.lore.kvm.Regs regs = new io.lore.kvm.Regs();
    private final long[] stateRegs = new long[io.lore.log.StatePoint.REGS];
    private final long[] continuation = RingRecords.continuationScratch();
    private final ReturnPoint returnPoint;
    /** This exit is the guest's arrival at the return point an interrupt waited for. */
    private boolean atReturnPoint;
    private long returnWaitNanos;
    private boolean syncingRegisters;
    private long ordinal;
    private boolean atSyncExit;
    private long lastDigestAt = System.nanoTime();
    private long deferredInjections;
    private long lastCpuHash, lastMemoryHash;
    private io.lore.replay.pmu.GuestBranchCounter branches; // null without a PMU
    private final SerialTap serial = new SerialTap(null); // counts console bytes for the summary
    private KernelRecording kernel; // null with user-space capture

    Recorder(Platform live, EventRing ring, Machine machine) {
        this.live = live;
        this.ring = ring;
        this.machine = machine;
        this.vcpu = machine.vcpu();
        this.memoryDigest = new MemoryDigest(new io.lore.replay.checkpoint.DirtyPageTracker(machine.vm(), machine.memory()), machine.memory());
        this.cpuDigest = new CpuDigest(vcpu);
        this.returnPoint = new ReturnPoint(vcpu, machine.memory());
    }

    /** Synchronous exits happen at the same instruction in every replay: they are the ordinal clock. */
    static boolean isSynchronous(int reason) {
        return reason == ExitReason.IO || reason == ExitReason.MMIO || reason == ExitReason.HLT
                || reason == ExitReason.SHUTDOWN;
    }

    /** Count guest branches from now on (opened on the vCPU thread); each state point then carries the count. */
    void useBranchCounter(io.lore.replay.pmu.GuestBranchCounter counter) {
        this.branches = counter;
    }

    /** How long an interrupt kicked while the guest computes may wait for a return point (0: not at all; see {@link ReturnPoint}). */
    void setReturnWait(long nanos) {
        this.returnWaitNanos = nanos;
    }

    /** Kernel-assisted capture: what lore.ko logged in the kernel joins the log at each exit. */
    void useKernelCapture(KernelRecording kernel) {
        this.kernel = kernel;
    }

    long ordinal() { return ordinal; }
    long serialBytes() { return serial.bytes(); }
    long deferredInjections() { return deferredInjections; }
    long movedToReturnPoints() { return returnPoint.moved(); }

    // ---- loop observer ----

    @Override
    public void onExit(int reason) {
        if (kernel != null) {
            kernel.drain(ordinal); // it happened since the last exit
        }
        atSyncExit = isSynchronous(reason);
        if (returnPoint.armed()) { // RIP only matters for a breakpoint exit: spare the others a KVM_GET_REGS
            boolean debugExit = reason == ExitReason.DEBUG;
            atReturnPoint = returnPoint.onExit(debugExit, debugExit ? vcpu.getRegs().rip() : -1);
        } else {
            atReturnPoint = false;
        }
        if (atSyncExit) {
            ordinal++;
            if (reason == ExitReason.HLT) {
                ring.put(RingRecords.word0(EventKind.HALT, 0, 0, 0), ordinal, 0, 0);
            }
        }
    }

    @Override
    public void afterExit(int reason) {
        if (atSyncExit && System.nanoTime() - lastDigestAt >= DIGEST_INTERVAL_NANOS) {
            digest();
        }
    }

    @Override
    public boolean mayInjectNow() {
        if (atSyncExit) {
            return true;
        }
        vcpu.getSregs(sregs);
        vcpu.getRegs(regs);
        long rip = regs.rip();
        if (returnWaitNanos > 0 && !atReturnPoint && branches == null && (sregs.cs.selector & 3) == 0
                && returnPoint.waitForReturn(sregs, regs.rsp())) {
            return false; // replay finds the return point with fewer breakpoint hits
        }
        boolean ok = InjectionPoints.traceable(machine.memory(), sregs, rip);
        if (!ok) {
            deferredInjections++;
        }
        return ok;
    }

    @Override
    public long retryInjectionNanos() {
        return returnPoint.armed() ? returnWaitNanos : LoopObserver.super.retryInjectionNanos();
    }

    @Override
    public void beforeInjection(int vector) {
        returnPoint.injected();
        if (atSyncExit) {
            ring.put(RingRecords.word0(EventKind.INTERRUPT, 0, 0, vector), ordinal, 0, 0);
        } else {
            RingRecords.putInterrupt(ring, ordinal, vector, cpuDigest.generalRegisters(stateRegs), cpuDigest.systemHash(),
                    memoryDigest.current(), branches == null ? io.lore.log.StatePoint.NO_BRANCH_COUNT : branches.read(),
                    continuation);
        }
    }

    /** Logs a verification digest of the whole machine at the current (synchronous) point. */
    void digest() {
        lastDigestAt = System.nanoTime();
        lastCpuHash = cpuDigest.fullHash();
        lastMemoryHash = memoryDigest.current();
        ring.put(RingRecords.word0(EventKind.DIGEST, 0, 0, 0), ordinal, lastCpuHash, lastMemoryHash);
    }

    /** Logs how the run ended; a final digest only where replay can reproduce the point (a synchronous exit). */
    void end(RunResult r) {
        if (atSyncExit) {
            digest();
        }
        Event.EndReason reason = Event.EndReason.valueOf(r.outcome().name());
        ring.put(RingRecords.word0(EventKind.END, 0, 0, reason.ordinal()), ordinal, r.exitStatus(), 0);
    }

    long lastCpuHash() { return lastCpuHash; }
    long lastMemoryHash() { return lastMemoryHash; }

    void serialInput(int b) {
        ring.put(RingRecords.word0(EventKind.SERIAL_INPUT, 0, 0, b), ordinal, 0, 0);
    }

    // ---- platform ----

    @Override
    public int pioIn(int port, int size) {
        int v = live.pioIn(port, size);
        ring.put(RingRecords.word0(EventKind.PIO_IN, size, 0, port), ordinal, v & 0xffffffffL, 0);
        return v;
    }

    @Override
    public void pioOut(int port, int size, int value) {
        ring.put(RingRecords.word0(EventKind.PIO_OUT, size, 0, port), ordinal, value & 0xffffffffL, 0);
        serial.pioOut(port, value);
        live.pioOut(port, size, value);
    }

    @Override
    public long mmioRead(long address, int length) {
        long v = live.mmioRead(address, length);
        ring.put(RingRecords.word0(EventKind.MMIO_READ, length, 0, 0), ordinal, address, v);
        return v;
    }

    @Override
    public void mmioWrite(long address, int length, long value) {
        ring.put(RingRecords.word0(EventKind.MMIO_WRITE, length, 0, 0), ordinal, address, value);
        live.mmioWrite(address, length, value);
    }

    /**
     * The loop asks before every entry. While an interrupt waits, KVM_RUN stores the registers
     * in the run area: the exit that ends the run may be where it is injected, and positioning
     * it reads them (several ioctls of 5-15 µs each on this host otherwise).
     */
    @Override
    public boolean interruptPending() {
        boolean pending = live.interruptPending();
        if (pending != syncingRegisters) {
            vcpu.syncRegs(pending);
            syncingRegisters = pending;
        }
        return pending;
    }

    @Override public int acknowledgeInterrupt() { return live.acknowledgeInterrupt(); }
    @Override public long nextDeadline() { return live.nextDeadline(); }
    @Override public void advanceTo(long nanos) { live.advanceTo(nanos); }
    @Override public RunResult endRequest(long exits, long nanos) { return live.endRequest(exits, nanos); }
    @Override public void close() { live.close(); }
}
