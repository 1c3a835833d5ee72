package io.lore.rsp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The register layout GDB sees: one table of registers (name, size, type, feature, and where the
 * value lives in {@link X86Registers}) from which both target.xml and the register codec derive,
 * so the two cannot disagree. Register numbers are positions in the table, as in GDB's own
 * amd64 descriptions: rax..gs 0-23, st0-7 24-31, fctrl..fop 32-39, xmm0-15 40-55, mxcsr 56,
 * then fs_base, gs_base and LoRe's system registers (cr0, cr2, cr3, cr4, cr8, efer).
 */
public final class TargetDescription {
    public static final String CORE = "org.gnu.gdb.i386.core";
    public static final String SSE = "org.gnu.gdb.i386.sse";
    public static final String SEGMENTS = "org.gnu.gdb.i386.segments";
    public static final String SYSTEM = "org.lore.x86.system";

    /** Appends a register's value to a hex string, little-endian, exactly {@code bitsize/4} digits. */
    @FunctionalInterface
    interface ValueWriter {
        void append(X86Registers regs, StringBuilder hex);
    }

    /** One register: its number is its index in {@link #registers()}. */
    public record Register(int number, String name, int bitsize, String type, String group,
                           String feature, ValueWriter writer) {
        public int bytes() {
            return bitsize / 8;
        }
    }

    /** The x86-64 description LoRe serves. */
    public static final TargetDescription X86_64 = new TargetDescription();

    private final List<Register> registers;
    private final Map<String, String> typeDefinitions;
    private final String xml;

    private TargetDescription() {
        List<Register> regs = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String[] gprNames = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
        for (int i = 0; i < 16; i++) {
            final int n = i;
            String type = i == 6 || i == 7 ? "data_ptr" : "int64";
            add(regs, gprNames[i], 64, type, null, CORE, (r, h) -> Hex.appendLittleEndian(h, r.gpr[n], 8));
        }
        add(regs, "rip", 64, "code_ptr", null, CORE, (r, h) -> Hex.appendLittleEndian(h, r.rip, 8));
        types.put(CORE, flags("i386_eflags", 4, new String[][] {
                {"CF", "0"}, {"", "1"}, {"PF", "2"}, {"AF", "4"}, {"ZF", "6"}, {"SF", "7"}, {"TF", "8"},
                {"IF", "9"}, {"DF", "10"}, {"OF", "11"}, {"NT", "14"}, {"RF", "16"}, {"VM", "17"},
                {"AC", "18"}, {"VIF", "19"}, {"VIP", "20"}, {"ID", "21"}}));
        add(regs, "eflags", 32, "i386_eflags", null, CORE, (r, h) -> Hex.appendLittleEndian(h, r.eflags, 4));
        String[] segNames = {"cs", "ss", "ds", "es", "fs", "gs"};
        for (int i = 0; i < 6; i++) {
            final int n = i;
            add(regs, segNames[i], 32, "int32", null, CORE, (r, h) -> Hex.appendLittleEndian(h, r.segments[n], 4));
        }
        for (int i = 0; i < 8; i++) {
            final int n = i;
            add(regs, "st" + i, 80, "i387_ext", null, CORE, (r, h) -> h.append(Hex.encode(r.st, n * 10, 10)));
        }
        add(regs, "fctrl", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fctrl, 4));
        add(regs, "fstat", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fstat, 4));
        add(regs, "ftag", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.ftag, 4));
        add(regs, "fiseg", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fiseg, 4));
        add(regs, "fioff", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fioff, 4));
        add(regs, "foseg", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.foseg, 4));
        add(regs, "fooff", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fooff, 4));
        add(regs, "fop", 32, "int", "float", CORE, (r, h) -> Hex.appendLittleEndian(h, r.fop, 4));

        // Vector types as in GDB's 64bit-sse.xml, without the bfloat16/half views that GDB < 12 lacks.
        types.put(SSE, """
                    <vector id="v4f" type="ieee_single" count="4"/>
                    <vector id="v2d" type="ieee_double" count="2"/>
                    <vector id="v16i8" type="int8" count="16"/>
                    <vector id="v8i16" type="int16" count="8"/>
                    <vector id="v4i32" type="int32" count="4"/>
                    <vector id="v2i64" type="int64" count="2"/>
                    <union id="vec128">
                      <field name="v4_float" type="v4f"/>
                      <field name="v2_double" type="v2d"/>
                      <field name="v16_int8" type="v16i8"/>
                      <field name="v8_int16" type="v8i16"/>
                      <field name="v4_int32" type="v4i32"/>
                      <field name="v2_int64" type="v2i64"/>
                      <field name="uint128" type="uint128"/>
                    </union>
                """ + flags("i386_mxcsr", 4, new String[][] {
                {"IE", "0"}, {"DE", "1"}, {"ZE", "2"}, {"OE", "3"}, {"UE", "4"}, {"PE", "5"}, {"DAZ", "6"},
                {"IM", "7"}, {"DM", "8"}, {"ZM", "9"}, {"OM", "10"}, {"UM", "11"}, {"PM", "12"}, {"FZ", "15"}}));
        for (int i = 0; i < 16; i++) {
            final int n = i;
            add(regs, "xmm" + i, 128, "vec128", null, SSE, (r, h) -> h.append(Hex.encode(r.xmm, n * 16, 16)));
        }
        add(regs, "mxcsr", 32, "i386_mxcsr", "vector", SSE, (r, h) -> Hex.appendLittleEndian(h, r.mxcsr, 4));

        add(regs, "fs_base", 64, "int", null, SEGMENTS, (r, h) -> Hex.appendLittleEndian(h, r.fsBase, 8));
        add(regs, "gs_base", 64, "int", null, SEGMENTS, (r, h) -> Hex.appendLittleEndian(h, r.gsBase, 8));

        types.put(SYSTEM, flags("lore_cr0", 8, new String[][] {
                {"PE", "0"}, {"MP", "1"}, {"EM", "2"}, {"TS", "3"}, {"ET", "4"}, {"NE", "5"}, {"WP", "16"},
                {"AM", "18"}, {"NW", "29"}, {"CD", "30"}, {"PG", "31"}})
                + flags("lore_cr4", 8, new String[][] {
                {"VME", "0"}, {"PVI", "1"}, {"TSD", "2"}, {"DE", "3"}, {"PSE", "4"}, {"PAE", "5"},
                {"MCE", "6"}, {"PGE", "7"}, {"PCE", "8"}, {"OSFXSR", "9"}, {"OSXMMEXCPT", "10"},
                {"UMIP", "11"}, {"LA57", "12"}, {"VMXE", "13"}, {"SMXE", "14"}, {"FSGSBASE", "16"},
                {"PCIDE", "17"}, {"OSXSAVE", "18"}, {"SMEP", "20"}, {"SMAP", "21"}, {"PKE", "22"},
                {"CET", "23"}, {"PKS", "24"}})
                + flags("lore_efer", 8, new String[][] {
                {"SCE", "0"}, {"LME", "8"}, {"LMA", "10"}, {"NXE", "11"}, {"SVME", "12"},
                {"LMSLE", "13"}, {"FFXSR", "14"}, {"TCE", "15"}}));
        add(regs, "cr0", 64, "lore_cr0", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.cr0, 8));
        add(regs, "cr2", 64, "uint64", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.cr2, 8));
        add(regs, "cr3", 64, "uint64", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.cr3, 8));
        add(regs, "cr4", 64, "lore_cr4", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.cr4, 8));
        add(regs, "cr8", 64, "uint64", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.cr8, 8));
        add(regs, "efer", 64, "lore_efer", "general", SYSTEM, (r, h) -> Hex.appendLittleEndian(h, r.efer, 8));

        this.registers = Collections.unmodifiableList(regs);
        this.typeDefinitions = types;
        this.xml = buildXml();
    }

    private static void add(List<Register> regs, String name, int bits, String type, String group,
                            String feature, ValueWriter writer) {
        regs.add(new Register(regs.size(), name, bits, type, group, feature, writer));
    }

    private static String flags(String id, int size, String[][] fields) {
        StringBuilder sb = new StringBuilder();
        sb.append("    <flags id=\"").append(id).append("\" size=\"").append(size).append("\">\n");
        for (String[] f : fields) {
            sb.append("      <field name=\"").append(f[0]).append("\" start=\"").append(f[1])
              .append("\" end=\"").append(f[1]).append("\"/>\n");
        }
        return sb.append("    </flags>\n").toString();
    }

    private String buildXml() {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        sb.append("  <architecture>i386:x86-64</architecture>\n");
        String open = null;
        for (Register r : registers) {
            if (!r.feature().equals(open)) {
                if (open != null) {
                    sb.append("  </feature>\n");
                }
                open = r.feature();
                sb.append("  <feature name=\"").append(open).append("\">\n");
                sb.append(typeDefinitions.getOrDefault(open, ""));
            }
            sb.append("    <reg name=\"").append(r.name()).append("\" bitsize=\"").append(r.bitsize())
              .append("\" type=\"").append(r.type()).append("\" regnum=\"").append(r.number()).append('"');
            if (r.group() != null) {
                sb.append(" group=\"").append(r.group()).append('"');
            }
            sb.append("/>\n");
        }
        sb.append("  </feature>\n</target>\n");
        return sb.toString();
    }

    public List<Register> registers() {
        return registers;
    }

    /** The register with this name, or null. */
    public Register register(String name) {
        for (Register r : registers) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** target.xml as served by qXfer:features:read. */
    public String xml() {
        return xml;
    }

    /**
     * One qXfer read reply for a document: {@code m<data>} if more follows, {@code l<data>} for the
     * last part (escaping happens when the packet is framed).
     */
    static String xferChunk(String document, long offset, int length) {
        if (offset >= document.length()) {
            return "l";
        }
        int start = (int) offset;
        int end = (int) Math.min(document.length(), (long) start + length);
        return (end >= document.length() ? "l" : "m") + document.substring(start, end);
    }
}
