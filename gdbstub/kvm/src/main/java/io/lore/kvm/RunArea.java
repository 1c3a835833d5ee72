package io.lore.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The vCPU's shared {@code struct kvm_run} page, read through a direct buffer: the exit
 * details and the PIO data live here, so handling an exit costs no system call.
 */
public final class RunArea {
    public static final int IO_IN = 0;
    public static final int IO_OUT = 1;

    private final ByteBuffer b;

    RunArea(ByteBuffer mapping) {
        this.b = mapping.order(ByteOrder.LITTLE_ENDIAN);
    }

    public int exitReason() { return b.getInt(Layouts.RUN_EXIT_REASON); }

    public void requestInterruptWindow(boolean on) { b.put(Layouts.RUN_REQUEST_INTERRUPT_WINDOW, (byte) (on ? 1 : 0)); }
    public boolean interruptWindowRequested() { return b.get(Layouts.RUN_REQUEST_INTERRUPT_WINDOW) != 0; }
    void validRegs(long kvmSyncBits) { b.putLong(Layouts.RUN_VALID_REGS, kvmSyncBits); }
    long validRegs() { return b.getLong(Layouts.RUN_VALID_REGS); }

    /** The general registers KVM_RUN stored (s.regs.regs), read in Java: no native call per read. */
    void syncedRegs(long[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = b.getLong(Layouts.RUN_SYNC_REGS + 8 * i);
        }
    }
    public void immediateExit(boolean on) { b.put(Layouts.RUN_IMMEDIATE_EXIT, (byte) (on ? 1 : 0)); }
    public boolean readyForInterruptInjection() { return b.get(Layouts.RUN_READY_FOR_INTERRUPT_INJECTION) != 0; }
    public boolean ifFlag() { return b.get(Layouts.RUN_IF_FLAG) != 0; }

    /**
     * The CR8 (task priority) KVM loads into the vCPU at the start of the next KVM_RUN: with a
     * user-space irqchip KVM copies {@code kvm_run.cr8} into CR8 on every entry and back on every
     * exit, so after KVM_SET_SREGS changed CR8 (restoring a checkpoint) it must be set here too,
     * or the next entry undoes it.
     */
    public void cr8(long value) { b.putLong(Layouts.RUN_CR8, value); }

    // KVM_EXIT_IO
    public int ioDirection() { return b.get(Layouts.IO_DIRECTION); }
    public int ioSize() { return b.get(Layouts.IO_SIZE); }
    public int ioPort() { return b.getShort(Layouts.IO_PORT) & 0xffff; }
    public int ioCount() { return b.getInt(Layouts.IO_COUNT); }
    public int ioDataOffset() { return (int) b.getLong(Layouts.IO_DATA_OFFSET); }

    /** Element {@code i} of a (possibly string) PIO transfer, as an unsigned value. */
    public int ioData(int i) {
        int size = ioSize();
        int o = ioDataOffset() + i * size;
        switch (size) {
            case 1: return b.get(o) & 0xff;
            case 2: return b.getShort(o) & 0xffff;
            default: return b.getInt(o);
        }
    }

    public void ioData(int i, int value) {
        int size = ioSize();
        int o = ioDataOffset() + i * size;
        switch (size) {
            case 1: b.put(o, (byte) value); break;
            case 2: b.putShort(o, (short) value); break;
            default: b.putInt(o, value); break;
        }
    }

    // KVM_EXIT_MMIO
    public long mmioAddress() { return b.getLong(Layouts.MMIO_PHYS_ADDR); }
    public int mmioLength() { return b.getInt(Layouts.MMIO_LEN); }
    public boolean mmioIsWrite() { return b.get(Layouts.MMIO_IS_WRITE) != 0; }
    public long mmioData() { return b.getLong(Layouts.MMIO_DATA); }
    public void mmioData(long value) { b.putLong(Layouts.MMIO_DATA, value); }

    // KVM_EXIT_DEBUG
    public int debugException() { return b.getInt(Layouts.DEBUG_EXCEPTION); }
    public long debugPc() { return b.getLong(Layouts.DEBUG_PC); }
    public long debugDr6() { return b.getLong(Layouts.DEBUG_DR6); }
    public long debugDr7() { return b.getLong(Layouts.DEBUG_DR7); }

    // KVM_EXIT_FAIL_ENTRY / INTERNAL_ERROR / SYSTEM_EVENT
    public long failEntryReason() { return b.getLong(Layouts.FAIL_ENTRY_REASON); }
    public int internalSuberror() { return b.getInt(Layouts.INTERNAL_SUBERROR); }
    public int systemEventType() { return b.getInt(Layouts.SYSTEM_EVENT_TYPE); }

    public long[] internalData() {
        int n = Math.min(16, Math.max(0, b.getInt(Layouts.INTERNAL_NDATA)));
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = b.getLong(Layouts.INTERNAL_DATA + 8 * i);
        }
        return d;
    }
}
