package io.lore.machine.boot;

import java.util.List;

/**
 * The PC memory map both boot protocols report (PVH memmap, Linux e820): conventional memory,
 * the legacy VGA/BIOS hole, then RAM from 1 MiB to the end of guest memory.
 */
public final class MemoryMap {
    public static final int TYPE_RAM = 1;
    public static final int TYPE_RESERVED = 2;

    public record Entry(long address, long size, int type) {}

    private MemoryMap() {}

    public static List<Entry> forRam(long ramSize) {
        return List.of(
                new Entry(0, 0x9fc00, TYPE_RAM),
                new Entry(0x9fc00, 0x400, TYPE_RESERVED),
                new Entry(0xf0000, 0x10000, TYPE_RESERVED),
                new Entry(BootLayout.HIGH_MEMORY, ramSize - BootLayout.HIGH_MEMORY, TYPE_RAM));
    }
}
