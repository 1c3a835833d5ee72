package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfEventAttrTest {
    private static final Path HEADER = Path.of("/usr/include/linux/perf_event.h");

    /** Offsets as documented by include/uapi/linux/perf_event.h (x86-64). */
    static final Map<String, Integer> OFFSETS = new LinkedHashMap<>();

    static {
        OFFSETS.put("type", 0);
        OFFSETS.put("size", 4);
        OFFSETS.put("config", 8);
        OFFSETS.put("sample_period", 16);
        OFFSETS.put("sample_type", 24);
        OFFSETS.put("read_format", 32);
        OFFSETS.put("flags", 40);
        OFFSETS.put("wakeup_events", 48);
        OFFSETS.put("bp_type", 52);
        OFFSETS.put("config1", 56);
        OFFSETS.put("config2", 64);
        OFFSETS.put("branch_sample_type", 72);
        OFFSETS.put("sample_regs_user", 80);
        OFFSETS.put("sample_stack_user", 88);
        OFFSETS.put("clockid", 92);
        OFFSETS.put("sample_regs_intr", 96);
        OFFSETS.put("aux_watermark", 104);
        OFFSETS.put("sample_max_stack", 108);
        OFFSETS.put("reserved_2", 110);
        OFFSETS.put("aux_sample_size", 112);
        OFFSETS.put("reserved_3", 116);
        OFFSETS.put("sig_data", 120);
    }

    @Test
    void layoutMatchesTheKernelHeader() {
        PerfEventAttr a = new PerfEventAttr();
        OFFSETS.forEach((f, off) -> assertEquals(off, a.offsetOf(f), f));
        assertEquals(PerfEventAttr.PERF_ATTR_SIZE_VER7, a.size());
        assertEquals(128, a.size());
        assertEquals(128, a.size, "attr.size defaults to the struct size we pass");
        // VER5 (112) ends right after aux_watermark + sample_max_stack + __reserved_2
        assertEquals(PerfEventAttr.PERF_ATTR_SIZE_VER5, a.offsetOf("aux_sample_size"));
        assertEquals(PerfEventAttr.PERF_ATTR_SIZE_VER0, a.offsetOf("branch_sample_type") - 8);
    }

    @Test
    void flagBitsFollowTheHeaderOrder() {
        assertEquals(1L, PerfEventAttr.DISABLED);
        assertEquals(1L << 1, PerfEventAttr.INHERIT);
        assertEquals(1L << 2, PerfEventAttr.PINNED);
        assertEquals(1L << 3, PerfEventAttr.EXCLUSIVE);
        assertEquals(1L << 4, PerfEventAttr.EXCLUDE_USER);
        assertEquals(1L << 5, PerfEventAttr.EXCLUDE_KERNEL);
        assertEquals(1L << 6, PerfEventAttr.EXCLUDE_HV);
        assertEquals(1L << 7, PerfEventAttr.EXCLUDE_IDLE);
        assertEquals(1L << 8, PerfEventAttr.MMAP);
        assertEquals(1L << 10, PerfEventAttr.FREQ);
        assertEquals(1L << 14, PerfEventAttr.WATERMARK);
        assertEquals(3L << 15, PerfEventAttr.PRECISE_IP_MASK);
        assertEquals(1L << 17, PerfEventAttr.MMAP_DATA);
        assertEquals(1L << 18, PerfEventAttr.SAMPLE_ID_ALL);
        assertEquals(1L << 19, PerfEventAttr.EXCLUDE_HOST);
        assertEquals(1L << 20, PerfEventAttr.EXCLUDE_GUEST);
        assertEquals(1L << 37, PerfEventAttr.SIGTRAP);
    }

    /** Recomputes every bit position from the installed header, if there is one. */
    @Test
    void flagBitsMatchTheInstalledHeader() throws Exception {
        assumeTrue(Files.isReadable(HEADER), "no " + HEADER);
        String h = Files.readString(HEADER);
        int start = h.indexOf("__u64\t\t\tdisabled");
        if (start < 0) {
            start = h.indexOf("disabled       :  1");
        }
        assumeTrue(start >= 0, "bitfield not found in header");
        String block = h.substring(start, h.indexOf(';', start));
        block = block.replaceAll("/\\*.*?\\*/", " ").replaceAll("(?s)/\\*.*?\\*/", " ");
        Matcher m = Pattern.compile("(\\w+)\\s*:\\s*(\\d+)").matcher(block);
        int bit = 0;
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1);
            int width = Integer.parseInt(m.group(2));
            if (!name.startsWith("__reserved")) {
                String constant = name.toUpperCase(Locale.ROOT);
                if (name.equals("precise_ip")) {
                    assertEquals(bit, PerfEventAttr.PRECISE_IP_SHIFT);
                    assertEquals(2, width);
                } else {
                    Field f;
                    try {
                        f = PerfEventAttr.class.getField(constant);
                    } catch (NoSuchFieldException newerHeader) {
                        bit += width; // a flag added after VER7 that we do not name
                        continue;
                    }
                    assertEquals(1, width, name);
                    assertEquals(1L << bit, f.getLong(null), name + " is bit " + bit + " in " + HEADER);
                }
                checked.add(name);
            }
            bit += width;
        }
        assertEquals(64, bit, "the bitfield fills one __u64");
        assertTrue(checked.contains("exclude_host") && checked.contains("exclude_guest"), checked.toString());
    }

    /** Cross-checks offsets and size with the C compiler's view of the same header, if gcc is here. */
    @Test
    void offsetsMatchTheCompiler(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(HEADER) && Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc and the header");
        StringBuilder c = new StringBuilder("#include <linux/perf_event.h>\n#include <stdio.h>\n#include <stddef.h>\n"
                + "int main(void){printf(\"sizeof %zu\\n\", sizeof(struct perf_event_attr));\n");
        for (String f : OFFSETS.keySet()) {
            if (f.equals("flags")) {
                continue; // a bitfield has no offsetof; it follows read_format
            }
            String cf = f.startsWith("reserved") ? "__" + f : f;
            c.append("printf(\"").append(f).append(" %zu\\n\", offsetof(struct perf_event_attr, ").append(cf)
                    .append("));\n");
        }
        c.append("return 0;}\n");
        Files.writeString(dir.resolve("o.c"), c);
        assumeTrue(run(dir, "/usr/bin/gcc", "-o", "o", "o.c") == 0, "gcc failed (older header?)");
        Process p = new ProcessBuilder(dir.resolve("o").toString()).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        PerfEventAttr a = new PerfEventAttr();
        for (String line : out.split("\n")) {
            String[] kv = line.split(" ");
            if (kv[0].equals("sizeof")) {
                assertTrue(Integer.parseInt(kv[1]) >= a.size(), "the kernel struct is at least VER7");
            } else {
                assertEquals(Integer.parseInt(kv[1]), a.offsetOf(kv[0]), kv[0]);
            }
        }
    }

    private static int run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void flagsAreWrittenAtOffset40() {
        PerfEventAttr a = new PerfEventAttr();
        a.set(PerfEventAttr.DISABLED, true).set(PerfEventAttr.EXCLUDE_HOST, true).set(PerfEventAttr.PINNED, true);
        a.set(PerfEventAttr.PINNED, false);
        assertTrue(a.has(PerfEventAttr.EXCLUDE_HOST));
        assertFalse(a.has(PerfEventAttr.PINNED));
        a.type = PerfEventAttr.PERF_TYPE_RAW;
        a.config = 0x11c4;
        a.sample_period = 12345;
        a.write();
        assertEquals(PerfEventAttr.PERF_TYPE_RAW, a.getPointer().getInt(0));
        assertEquals(128, a.getPointer().getInt(4));
        assertEquals(0x11c4, a.getPointer().getLong(8));
        assertEquals(12345, a.getPointer().getLong(16));
        assertEquals((1L << 19) | 1L, a.getPointer().getLong(40));
    }
}
