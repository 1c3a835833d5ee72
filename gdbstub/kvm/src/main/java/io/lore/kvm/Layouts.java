package io.lore.kvm;

/** Sizes and offsets of the x86-64 KVM ABI structures (linux/kvm.h, asm/kvm.h). */
final class Layouts {
    private Layouts() {}

    static final int REGS_SIZE = 18 * 8;
    static final int SEGMENT_SIZE = 24;
    static final int DTABLE_SIZE = 16;
    static final int SREGS_SIZE = 8 * SEGMENT_SIZE + 2 * DTABLE_SIZE + 7 * 8 + 4 * 8;
    static final int FPU_SIZE = 416;
    static final int GUEST_DEBUG_SIZE = 8 + 8 * 8;
    static final int EVENTS_SIZE = 64;
    static final int DEBUGREGS_SIZE = 128;
    static final int XSAVE_SIZE = 4096;
    static final int XCRS_SIZE = 8 + 16 * 16 + 16 * 8;
    static final int CPUID_ENTRY_SIZE = 40;
    static final int MSR_ENTRY_SIZE = 16;

    // struct kvm_run (x86)
    static final int RUN_REQUEST_INTERRUPT_WINDOW = 0;
    static final int RUN_IMMEDIATE_EXIT = 1;
    static final int RUN_EXIT_REASON = 8;
    static final int RUN_READY_FOR_INTERRUPT_INJECTION = 12;
    static final int RUN_IF_FLAG = 13;
    static final int RUN_CR8 = 16;
    static final int RUN_UNION = 32;
    static final int RUN_VALID_REGS = 288; // after the 256-byte exit union
    static final int RUN_SYNC_REGS = 304; // s.regs: struct kvm_sync_regs, kvm_regs first
    static final int RUN_SYNC_SREGS = RUN_SYNC_REGS + REGS_SIZE; // s.regs.sregs follows kvm_regs
    static final int SYNC_X86_REGS = 1;
    static final int SYNC_X86_SREGS = 2;
    // io
    static final int IO_DIRECTION = RUN_UNION;
    static final int IO_SIZE = RUN_UNION + 1;
    static final int IO_PORT = RUN_UNION + 2;
    static final int IO_COUNT = RUN_UNION + 4;
    static final int IO_DATA_OFFSET = RUN_UNION + 8;
    // mmio
    static final int MMIO_PHYS_ADDR = RUN_UNION;
    static final int MMIO_DATA = RUN_UNION + 8;
    static final int MMIO_LEN = RUN_UNION + 16;
    static final int MMIO_IS_WRITE = RUN_UNION + 20;
    // debug
    static final int DEBUG_EXCEPTION = RUN_UNION;
    static final int DEBUG_PC = RUN_UNION + 8;
    static final int DEBUG_DR6 = RUN_UNION + 16;
    static final int DEBUG_DR7 = RUN_UNION + 24;
    // fail_entry, internal
    static final int FAIL_ENTRY_REASON = RUN_UNION;
    static final int INTERNAL_SUBERROR = RUN_UNION;
    static final int INTERNAL_NDATA = RUN_UNION + 4;
    static final int INTERNAL_DATA = RUN_UNION + 8;
    // system_event
    static final int SYSTEM_EVENT_TYPE = RUN_UNION;
}
