package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;

/** Puts the initrd as high in RAM as the kernel allows, page-aligned, above the kernel image. */
final class InitrdPlacement {
    private InitrdPlacement() {}

    static long place(GuestMemory mem, byte[] initrd, long kernelEnd, long maxAddress) {
        long top = Math.min(mem.size(), maxAddress + 1);
        long at = (top - initrd.length) & ~0xfffL;
        if (at < ((kernelEnd + 0xfff) & ~0xfffL) || at < BootLayout.HIGH_MEMORY) {
            throw new BootException(String.format("initrd of %d KiB does not fit between the kernel and the end of "
                    + "guest memory (%d MiB); try a larger --mem", initrd.length >> 10, mem.size() >> 20));
        }
        mem.write(at, initrd);
        return at;
    }
}
