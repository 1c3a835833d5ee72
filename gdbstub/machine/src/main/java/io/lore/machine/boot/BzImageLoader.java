package io.lore.machine.boot;

import io.lore.kvm.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Loads a Linux bzImage for the 64-bit boot protocol (Documentation/arch/x86/boot.rst): the
 * protected-mode kernel goes to its preferred address, a zero page carries the setup header,
 * command line, initrd and e820 map, and the CPU starts in long mode at load address + 0x200.
 */
final class BzImageLoader {
    private static final int HDRS_MAGIC = 0x53726448; // "HdrS"
    private static final int MIN_VERSION = 0x020c;    // first with XLF_KERNEL_64
    private static final int XLF_KERNEL_64 = 1;
    private static final int CAN_USE_HEAP = 0x80;
    private static final int LOADER_UNDEFINED = 0xff;

    private BzImageLoader() {}

    static boolean isBzImage(byte[] image) {
        return image.length > 0x264 && ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0x202) == HDRS_MAGIC;
    }

    static BootImage load(GuestMemory mem, String name, byte[] image, byte[] initrd, String cmdline) {
        ByteBuffer h = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int version = h.getShort(0x206) & 0xffff;
        int xloadflags = h.getShort(0x236) & 0xffff;
        if (version < MIN_VERSION || (xloadflags & XLF_KERNEL_64) == 0) {
            throw new BootException(String.format("%s: bzImage boot protocol %d.%02d has no 64-bit entry point "
                    + "(needs 2.12 and XLF_KERNEL_64)", name, version >> 8, version & 0xff));
        }
        int setupSects = image[0x1f1] & 0xff;
        if (setupSects == 0) {
            setupSects = 4;
        }
        int payloadOffset = (setupSects + 1) * 512;
        if (payloadOffset >= image.length) {
            throw new BootException(name + ": bzImage is truncated (no protected-mode kernel after the setup code)");
        }
        int payloadSize = image.length - payloadOffset;
        long initSize = Math.max(h.getInt(0x260) & 0xffffffffL, payloadSize);
        long pref = h.getLong(0x258);
        boolean relocatable = image[0x234] != 0;
        long align = Math.max(0x1000, h.getInt(0x230) & 0xffffffffL);
        long loadAt;
        if (pref >= BootLayout.HIGH_MEMORY && mem.contains(pref, initSize)) {
            loadAt = pref;
        } else if (relocatable) {
            loadAt = (BootLayout.HIGH_MEMORY + align - 1) & -align;
        } else {
            throw new BootException(String.format("%s: kernel must load at 0x%x (+%d KiB), beyond guest memory; "
                    + "try a larger --mem", name, pref, initSize >> 10));
        }
        if (!mem.contains(loadAt, initSize)) {
            throw new BootException(String.format("%s: kernel needs %d MiB from 0x%x; guest has %d MiB (try a larger --mem)",
                    name, initSize >> 20, loadAt, mem.size() >> 20));
        }
        mem.write(loadAt, image, payloadOffset, payloadSize);

        long zp = BootLayout.ZERO_PAGE;
        mem.fill(zp, 0x1000, (byte) 0);
        int headerEnd = Math.min(0x202 + (image[0x201] & 0xff), 0x1000);
        mem.write(zp + 0x1f1, image, 0x1f1, headerEnd - 0x1f1);
        mem.writeByte(zp + 0x210, LOADER_UNDEFINED);
        mem.writeByte(zp + 0x211, (mem.readByte(zp + 0x211) & 0xff) | CAN_USE_HEAP);
        mem.writeShort(zp + 0x224, 0xfe00);

        long cmdMax = h.getInt(0x238) & 0xffffffffL;
        int limit = (int) Math.min(BootLayout.CMDLINE_MAX, cmdMax == 0 ? 256 : cmdMax + 1);
        long cmdAddr = PvhLoader.CommandLine.write(mem, cmdline, limit);
        mem.writeInt(zp + 0x228, (int) cmdAddr);

        if (initrd != null) {
            long maxAddr = h.getInt(0x22c) & 0xffffffffL;
            long at = InitrdPlacement.place(mem, initrd, loadAt + initSize, maxAddr == 0 ? 0x37ffffffL : maxAddr);
            mem.writeInt(zp + 0x218, (int) at);
            mem.writeInt(zp + 0x21c, initrd.length);
            mem.writeInt(zp + 0x0c0, (int) (at >>> 32));
            mem.writeInt(zp + 0x0c4, 0);
        }

        List<MemoryMap.Entry> map = MemoryMap.forRam(mem.size());
        mem.writeByte(zp + 0x1e8, map.size());
        for (int i = 0; i < map.size(); i++) {
            long o = zp + 0x2d0 + 20L * i;
            mem.writeLong(o, map.get(i).address());
            mem.writeLong(o + 8, map.get(i).size());
            mem.writeInt(o + 16, map.get(i).type());
        }
        IdentityPaging.write(mem);
        return new BootImage(BootImage.Kind.LINUX64, loadAt + 0x200, zp);
    }
}
