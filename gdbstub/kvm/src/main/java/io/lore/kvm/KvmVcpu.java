package io.lore.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One virtual CPU. All methods except {@link #kick()} must be called from the thread that
 * runs it. Argument buffers are allocated once, so the run loop allocates nothing per exit.
 */
public final class KvmVcpu implements AutoCloseable {
    public static final int GUESTDBG_ENABLE = 0x1;
    public static final int GUESTDBG_SINGLESTEP = 0x2;
    public static final int GUESTDBG_USE_SW_BP = 0x10000;
    public static final int GUESTDBG_USE_HW_BP = 0x20000;

    private final int fd;
    private final Pointer runMapping;
    private final long runMappingSize;
    private final RunArea run;
    private final Memory regsBuf = new Memory(Layouts.REGS_SIZE);
    private final Memory sregsBuf = new Memory(Layouts.SREGS_SIZE);
    private final ByteBuffer sregsView = sregsBuf.getByteBuffer(0, Layouts.SREGS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory irqBuf = new Memory(4);
    private final Memory debugBuf = new Memory(Layouts.GUEST_DEBUG_SIZE);
    private final Kick kick = new Kick();
    /** The KVM_SYNC_X86_* bits of KVM_CAP_SYNC_REGS this LoRe uses: general and special registers (see {@link #syncRegs}). */
    private final long syncBits;
    /** The special registers' copy in the run area, read by {@link #getSregs} when current. */
    private final ByteBuffer syncedSregs;
    /*
     * Where the registers are, exactly as KVM_GET_REGS / KVM_GET_SREGS would return them now:
     * in the run area (the last KVM_RUN stored them), in the ioctl buffer (read since), or
     * nowhere (anything that may change them ran since: KVM_RUN, any ioctl that sets state).
     */
    private static final int NOWHERE = 0, IN_RUN_AREA = 1, IN_BUFFER = 2;
    private int regsAt = NOWHERE;
    private int sregsAt = NOWHERE;

    KvmVcpu(Kvm kvm, int fd) {
        this.fd = fd;
        this.syncBits = kvm.checkExtension(Kvm.CAP_SYNC_REGS) & (Layouts.SYNC_X86_REGS | Layouts.SYNC_X86_SREGS);
        this.runMappingSize = kvm.vcpuMmapSize();
        try {
            this.runMapping = LibC.mmap(null, new NativeLong(runMappingSize), LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_SHARED, fd, new NativeLong(0));
        } catch (LastErrorException e) {
            Kvm.closeQuietly(fd);
            throw KvmException.of("mmap of the vCPU run area", e);
        }
        this.run = new RunArea(runMapping.getByteBuffer(0, runMappingSize));
        this.syncedSregs = runMapping.getByteBuffer(Layouts.RUN_SYNC_SREGS, Layouts.SREGS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Asks KVM_RUN to store the general and special registers in the run area on its way out (on
     * from the next run), so that {@link #getRegs} and {@link #getSregs} after it need no
     * KVM_GET_REGS or KVM_GET_SREGS. Those ioctls load and put the vCPU each time, which on this
     * nested host costs more than a KVM_RUN (about 7 µs each, measured); replay reads RIP after
     * every breakpoint and single-step exit, and the code bytes at it before each single step.
     * Off by default: storing them costs a little on every exit. What KVM lacks of
     * KVM_CAP_SYNC_REGS is asked for by ioctl as before.
     */
    public void syncRegs(boolean on) {
        if (syncBits != 0) {
            run.validRegs(on ? syncBits : 0);
        }
    }

    public RunArea runArea() {
        return run;
    }

    /**
     * Enters the guest until the next exit and returns its reason. A {@link #kick()} from
     * another thread makes it return {@link ExitReason#INTR}.
     */
    public int run() {
        boolean kicked = kick.pending; // a kick whose signal a handler may have taken
        if (kicked) {
            run.immediateExit(true);
        }
        enteredGuest = !kicked;
        changed();
        try {
            LibC.ioctl(fd, Ioctls.RUN, 0);
            // only a run that returned normally is trusted to have stored them
            long synced = run.validRegs();
            regsAt = (synced & Layouts.SYNC_X86_REGS) != 0 ? IN_RUN_AREA : NOWHERE;
            sregsAt = (synced & Layouts.SYNC_X86_SREGS) != 0 ? IN_RUN_AREA : NOWHERE;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR || e.getErrorCode() == LibC.EAGAIN) {
                kick.drain();
                return ExitReason.INTR;
            }
            throw KvmException.of("KVM_RUN", e);
        } finally {
            if (kicked) {
                run.immediateExit(false);
            }
        }
        return run.exitReason();
    }

    /**
     * False when the last {@link #run()} returned KVM_EXIT_INTR for a kick already pending when
     * it was called: KVM then returns before entering the guest, which is where it was (and an
     * injected interrupt is still undelivered). True otherwise (the guest may have run).
     */
    public boolean enteredGuest() {
        return enteredGuest;
    }

    /**
     * Makes the calling thread the one that runs this vCPU and can be kicked: the kick signal
     * is blocked in the thread but unblocked inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a kick
     * interrupts the guest and then stays pending until drained — none is ever lost.
     */
    public void bindToCurrentThread() {
        Memory mask = kick.blockInCurrentThread();
        Memory arg = new Memory(4 + 8);
        arg.setInt(0, 8);
        arg.setLong(4, mask.getLong(0) & ~Kick.bit());
        try {
            LibC.ioctl(fd, Ioctls.SET_SIGNAL_MASK, arg);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_SET_SIGNAL_MASK", e);
        }
    }

    /** From any thread: make the running (or next) KVM_RUN return as soon as possible. */
    public void kick() {
        kick.send();
    }

    public void interrupt(int vector) {
        irqBuf.setInt(0, vector);
        ioctl(Ioctls.INTERRUPT, irqBuf, "KVM_INTERRUPT");
    }

    public Regs getRegs(Regs into) {
        regsAt = located(regsAt, Ioctls.GET_REGS, regsBuf, "KVM_GET_REGS");
        if (regsAt == IN_RUN_AREA) { // the same struct kvm_regs KVM_GET_REGS would copy out (both use __get_regs)
            into.load(run);
        } else {
            into.load(regsBuf);
        }
        return into;
    }

    /** Where registers found at {@code at} are now: asked of KVM into {@code buffer} if they were nowhere. */
    private int located(int at, NativeLong get, Memory buffer, String name) {
        if (at == NOWHERE) {
            query(get, buffer, name);
            return IN_BUFFER;
        }
        return at;
    }

    public Regs getRegs() {
        return getRegs(new Regs());
    }

    public void setRegs(Regs regs) {
        regs.store(regsBuf);
        ioctl(Ioctls.SET_REGS, regsBuf, "KVM_SET_REGS");
    }

    public Sregs getSregs(Sregs into) {
        sregsAt = located(sregsAt, Ioctls.GET_SREGS, sregsBuf, "KVM_GET_SREGS");
        // struct kvm_sregs as KVM_GET_SREGS copies it out (both use __get_sregs)
        into.load(sregsAt == IN_RUN_AREA ? syncedSregs : sregsView);
        return into;
    }

    public Sregs getSregs() {
        return getSregs(new Sregs());
    }

    public void setSregs(Sregs sregs) {
        sregs.store(sregsBuf);
        ioctl(Ioctls.SET_SREGS, sregsBuf, "KVM_SET_SREGS");
    }

    public void setCpuid(Cpuid cpuid) {
        ioctl(Ioctls.SET_CPUID2, cpuid.toNative(), "KVM_SET_CPUID2");
    }

    /** KVM_SET_GUEST_DEBUG: {@code control} is GUESTDBG_* bits; {@code debugRegs} DR0-3, -, -, DR6?, DR7. */
    public void setGuestDebug(int control, long[] debugRegs) {
        debugBuf.clear();
        debugBuf.setInt(0, control);
        if (debugRegs != null) {
            debugBuf.write(8, debugRegs, 0, Math.min(8, debugRegs.length));
        }
        ioctl(Ioctls.SET_GUEST_DEBUG, debugBuf, "KVM_SET_GUEST_DEBUG");
    }

    // Opaque state blobs: saved and restored as they are (checkpoints), never interpreted.
    public byte[] getFpu() { return getFpu(new byte[FPU_STATE_BYTES]); }

    public static final int FPU_STATE_BYTES = Layouts.FPU_SIZE;

    /** KVM_GET_FPU into {@code into} ({@link #FPU_STATE_BYTES} bytes) through a buffer kept for it: no allocation. */
    public byte[] getFpu(byte[] into) {
        if (fpuBuf == null) {
            fpuBuf = new Memory(Layouts.FPU_SIZE);
        }
        query(Ioctls.GET_FPU, fpuBuf, "KVM_GET_FPU");
        fpuBuf.read(0, into, 0, Layouts.FPU_SIZE);
        return into;
    }
    public void setFpu(byte[] b) { setBlob(Ioctls.SET_FPU, b, Layouts.FPU_SIZE, "KVM_SET_FPU"); }
    public byte[] getXsave() { return getBlob(Ioctls.GET_XSAVE, Layouts.XSAVE_SIZE, "KVM_GET_XSAVE"); }
    public void setXsave(byte[] b) { setBlob(Ioctls.SET_XSAVE, b, Layouts.XSAVE_SIZE, "KVM_SET_XSAVE"); }
    public byte[] getXcrs() { return getBlob(Ioctls.GET_XCRS, Layouts.XCRS_SIZE, "KVM_GET_XCRS"); }
    public void setXcrs(byte[] b) { setBlob(Ioctls.SET_XCRS, b, Layouts.XCRS_SIZE, "KVM_SET_XCRS"); }
    public byte[] getVcpuEvents() { return getBlob(Ioctls.GET_VCPU_EVENTS, Layouts.EVENTS_SIZE, "KVM_GET_VCPU_EVENTS"); }
    public void setVcpuEvents(byte[] b) { setBlob(Ioctls.SET_VCPU_EVENTS, b, Layouts.EVENTS_SIZE, "KVM_SET_VCPU_EVENTS"); }
    public byte[] getDebugRegs() { return getBlob(Ioctls.GET_DEBUGREGS, Layouts.DEBUGREGS_SIZE, "KVM_GET_DEBUGREGS"); }
    public void setDebugRegs(byte[] b) { setBlob(Ioctls.SET_DEBUGREGS, b, Layouts.DEBUGREGS_SIZE, "KVM_SET_DEBUGREGS"); }

    /** Reads the MSRs named by {@code indices}; an MSR KVM refuses reads as 0 and is reported by count. */
    public long[] getMsrs(int[] indices) {
        Memory buf = msrBuffer(indices, null);
        int n;
        try {
            n = LibC.ioctl(fd, Ioctls.GET_MSRS, buf);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_GET_MSRS", e);
        }
        if (n != indices.length) {
            throw new KvmException(String.format("KVM_GET_MSRS read %d of %d MSRs (first refused: 0x%x)",
                    n, indices.length, indices[n]));
        }
        long[] values = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = buf.getLong(8 + (long) i * Layouts.MSR_ENTRY_SIZE + 8);
        }
        return values;
    }

    public void setMsrs(int[] indices, long[] values) {
        changed();
        Memory buf = msrBuffer(indices, values);
        int n;
        try {
            n = LibC.ioctl(fd, Ioctls.SET_MSRS, buf);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_SET_MSRS", e);
        }
        if (n != indices.length) {
            throw new KvmException(String.format("KVM_SET_MSRS wrote %d of %d MSRs (first refused: 0x%x)",
                    n, indices.length, indices[n]));
        }
    }

    private static Memory msrBuffer(int[] indices, long[] values) {
        Memory buf = new Memory(8 + (long) indices.length * Layouts.MSR_ENTRY_SIZE);
        buf.clear();
        buf.setInt(0, indices.length);
        for (int i = 0; i < indices.length; i++) {
            long o = 8 + (long) i * Layouts.MSR_ENTRY_SIZE;
            buf.setInt(o, indices[i]);
            if (values != null) {
                buf.setLong(o + 8, values[i]);
            }
        }
        return buf;
    }

    private Memory fpuBuf;
    private boolean enteredGuest = true; // getFpu(byte[]): the state hash reads the FPU at every state point

    private byte[] getBlob(NativeLong request, int size, String name) {
        Memory buf = new Memory(size);
        buf.clear();
        query(request, buf, name);
        return buf.getByteArray(0, size);
    }

    private void setBlob(NativeLong request, byte[] data, int size, String name) {
        if (data.length != size) {
            throw new IllegalArgumentException(name + " needs " + size + " bytes, got " + data.length);
        }
        Memory buf = new Memory(size);
        buf.write(0, data, 0, size);
        ioctl(request, buf, name);
    }

    /**
     * The registers may differ from what was read: an ioctl that sets vCPU state ran (KVM_SET_GUEST_DEBUG
     * changes RFLAGS.TF, KVM_INTERRUPT the pending-interrupt bitmap of the special registers) or
     * KVM_RUN.
     */
    private void changed() {
        regsAt = NOWHERE;
        sregsAt = NOWHERE;
    }

    /** For tests: the next register reads ask KVM. */
    void forgetRegisters() {
        changed();
    }

    /** An ioctl that sets vCPU state. */
    private void ioctl(NativeLong request, Pointer arg, String name) {
        changed();
        call(request, arg, name);
    }

    /** An ioctl that only reads vCPU state (KVM_GET_*): what was read before stays current. */
    private void query(NativeLong request, Pointer arg, String name) {
        call(request, arg, name);
    }

    private void call(NativeLong request, Pointer arg, String name) {
        try {
            LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw KvmException.of(name, e);
        }
    }

    @Override
    public void close() {
        try {
            LibC.munmap(runMapping, new NativeLong(runMappingSize));
        } catch (LastErrorException ignored) {
            // only fails for an invalid range
        }
        Kvm.closeQuietly(fd);
    }
}
