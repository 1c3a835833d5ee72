package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Loads a PVH kernel: an ELF whose Xen note XEN_ELFNOTE_PHYS32_ENTRY names a 32-bit entry
 * point, started in flat protected mode with EBX pointing at an {@code hvm_start_info}.
 */
final class PvhLoader {
    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    private static final int START_INFO_MAGIC = 0x336ec578;

    private PvhLoader() {}

    static BootImage load(GuestMemory mem, ElfImage elf, byte[] initrd, String cmdline) {
        long entry = elf.findNote("Xen", XEN_ELFNOTE_PHYS32_ENTRY).orElseThrow(() -> new BootException(
                elf.name() + ": ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); "
                        + "build it with a PVH note or boot a bzImage")) & 0xffffffffL;
        long kernelEnd = 0;
        for (ElfImage.Segment s : elf.segments()) {
            if (s.type() != ElfImage.PT_LOAD || s.memSize() == 0) {
                continue;
            }
            if (s.paddr() < BootLayout.HIGH_MEMORY || !mem.contains(s.paddr(), s.memSize())) {
                throw new BootException(String.format("%s: segment at 0x%x+0x%x does not fit in guest memory "
                        + "above 1 MiB (guest has %d MiB; try a larger --mem)", elf.name(), s.paddr(), s.memSize(),
                        mem.size() >> 20));
            }
            mem.write(s.paddr(), elf.bytes().array(), (int) s.offset(), (int) s.fileSize());
            mem.fill(s.paddr() + s.fileSize(), s.memSize() - s.fileSize(), (byte) 0);
            kernelEnd = Math.max(kernelEnd, s.paddr() + s.memSize());
        }
        if (!mem.contains(entry, 1)) {
            throw new BootException(String.format("%s: PVH entry 0x%x is outside guest memory", elf.name(), entry));
        }

        long info = BootLayout.PVH_START_INFO;
        mem.fill(info, 0x1000, (byte) 0);
        mem.writeInt(info, START_INFO_MAGIC);
        mem.writeInt(info + 4, 1); // version 1: has the memory map
        mem.writeInt(info + 8, 0); // flags
        long cmdlineAddr = CommandLine.write(mem, cmdline, BootLayout.CMDLINE_MAX);
        mem.writeLong(info + 24, cmdlineAddr);
        mem.writeLong(info + 32, 0); // no RSDP: no ACPI

        if (initrd != null) {
            long at = InitrdPlacement.place(mem, initrd, kernelEnd, 0xffffffffL);
            mem.writeInt(info + 12, 1);
            mem.writeLong(info + 16, BootLayout.PVH_MODLIST);
            mem.writeLong(BootLayout.PVH_MODLIST, at);
            mem.writeLong(BootLayout.PVH_MODLIST + 8, initrd.length);
            mem.writeLong(BootLayout.PVH_MODLIST + 16, 0);
            mem.writeLong(BootLayout.PVH_MODLIST + 24, 0);
        }

        List<MemoryMap.Entry> map = MemoryMap.forRam(mem.size());
        for (int i = 0; i < map.size(); i++) {
            long o = BootLayout.PVH_MEMMAP + 24L * i;
            mem.writeLong(o, map.get(i).address());
            mem.writeLong(o + 8, map.get(i).size());
            mem.writeInt(o + 16, map.get(i).type());
            mem.writeInt(o + 20, 0);
        }
        mem.writeLong(info + 40, BootLayout.PVH_MEMMAP);
        mem.writeInt(info + 48, map.size());
        return new BootImage(BootImage.Kind.PVH, entry, info);
    }

    static final class CommandLine {
        private CommandLine() {}

        /** Writes a NUL-terminated command line at the fixed address and returns that address. */
        static long write(GuestMemory mem, String cmdline, int max) {
            byte[] bytes = (cmdline == null ? "" : cmdline).getBytes(StandardCharsets.US_ASCII);
            if (bytes.length + 1 > max) {
                throw new BootException("command line is " + bytes.length + " bytes; the kernel accepts at most "
                        + (max - 1));
            }
            mem.write(BootLayout.CMDLINE, bytes);
            mem.writeByte(BootLayout.CMDLINE + bytes.length, 0);
            return BootLayout.CMDLINE;
        }
    }
}
