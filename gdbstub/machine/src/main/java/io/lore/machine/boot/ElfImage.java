package io.lore.machine.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The parts of an x86 ELF executable (32- or 64-bit) a boot loader needs: segments and notes. */
final class ElfImage {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;

    record Segment(int type, long offset, long paddr, long vaddr, long fileSize, long memSize) {}

    private final String name;
    private final ByteBuffer b;
    private final boolean is64;
    private final List<Segment> segments = new ArrayList<>();

    static boolean isElf(byte[] image) {
        return image.length >= 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    ElfImage(String name, byte[] image) {
        this.name = name;
        this.b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (!isElf(image) || image.length < 52) {
            throw new BootException(name + ": not an ELF file");
        }
        int cls = image[4];
        if (cls != 1 && cls != 2) {
            throw new BootException(name + ": unknown ELF class " + cls);
        }
        if (image[5] != 1) {
            throw new BootException(name + ": not a little-endian ELF file");
        }
        is64 = cls == 2;
        int machine = b.getShort(18) & 0xffff;
        if (machine != 3 && machine != 62) {
            throw new BootException(name + ": ELF machine " + machine + " is not x86 (3) or x86-64 (62)");
        }
        long phoff = is64 ? b.getLong(32) : b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(is64 ? 54 : 42) & 0xffff;
        int phnum = b.getShort(is64 ? 56 : 44) & 0xffff;
        if (phnum == 0 || phentsize < (is64 ? 56 : 32) || phoff < 0 || phoff + (long) phnum * phentsize > image.length) {
            throw new BootException(name + ": ELF program headers are missing or truncated");
        }
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            Segment s = is64
                    ? new Segment(b.getInt(o), b.getLong(o + 8), b.getLong(o + 24), b.getLong(o + 16),
                            b.getLong(o + 32), b.getLong(o + 40))
                    : new Segment(b.getInt(o), u32(o + 4), u32(o + 12), u32(o + 8), u32(o + 16), u32(o + 20));
            if (s.fileSize < 0 || s.offset < 0 || s.offset + s.fileSize > image.length || s.fileSize > s.memSize) {
                throw new BootException(String.format("%s: ELF segment %d lies outside the file", name, i));
            }
            segments.add(s);
        }
    }

    private long u32(int o) {
        return b.getInt(o) & 0xffffffffL;
    }

    List<Segment> segments() {
        return segments;
    }

    /** The descriptor of the first note named {@code owner} with {@code type}, as an integer. */
    OptionalLong findNote(String owner, int type) {
        for (Segment s : segments) {
            if (s.type != PT_NOTE) {
                continue;
            }
            long o = s.offset;
            long end = s.offset + s.fileSize;
            while (o + 12 <= end) {
                int namesz = b.getInt((int) o);
                int descsz = b.getInt((int) o + 4);
                int ntype = b.getInt((int) o + 8);
                long nameAt = o + 12;
                long descAt = nameAt + align4(namesz);
                long next = descAt + align4(descsz);
                if (namesz < 0 || descsz < 0 || next > end) {
                    break;
                }
                String n = new String(b.array(), (int) nameAt, Math.max(0, namesz - 1), java.nio.charset.StandardCharsets.US_ASCII);
                if (ntype == type && n.equals(owner)) {
                    if (descsz == 4) {
                        return OptionalLong.of(b.getInt((int) descAt) & 0xffffffffL);
                    }
                    if (descsz == 8) {
                        return OptionalLong.of(b.getLong((int) descAt));
                    }
                }
                o = next;
            }
        }
        return OptionalLong.empty();
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    String name() {
        return name;
    }

    ByteBuffer bytes() {
        return b;
    }
}
