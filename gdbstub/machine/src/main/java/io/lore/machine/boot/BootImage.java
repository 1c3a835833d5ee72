package io.lore.machine.boot;

/** Where a loaded kernel starts, and in which mode (the loader already wrote memory). */
public record BootImage(Kind kind, long entry, long bootInfo) {
    public enum Kind {
        /** 32-bit protected mode, paging off, EBX = hvm_start_info. */
        PVH,
        /** 64-bit long mode with identity paging, RSI = boot_params. */
        LINUX64
    }
}
