package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;

/** Recognises a kernel image (PVH ELF or bzImage) and loads it with its initrd and command line. */
public final class KernelLoader {
    private KernelLoader() {}

    public static BootImage load(GuestMemory mem, String name, byte[] kernel, byte[] initrd, String cmdline) {
        GdtSetup.write(mem);
        if (ElfImage.isElf(kernel)) {
            return PvhLoader.load(mem, new ElfImage(name, kernel), initrd, cmdline);
        }
        if (BzImageLoader.isBzImage(kernel)) {
            return BzImageLoader.load(mem, name, kernel, initrd, cmdline);
        }
        throw new BootException(name + ": not a kernel LoRe can boot (expected a PVH ELF or a Linux bzImage)");
    }
}
