package io.lore.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every number the Java bindings use equals the one kmod/include/uapi/lore.h gives the C compiler. */
class AbiConsistencyTest {
    @Test
    void javaConstantsMatchTheHeader() throws Exception {
        Path out = Path.of("target", "ctest").toAbsolutePath();
        Files.createDirectories(out);
        Path exe = out.resolve("abi_dump");
        CTests.Run cc = CTests.run(CTests.kmod().resolve("test"), 120, "gcc", "-Wall", "-Werror", "-o", exe.toString(),
                "abi_dump.c");
        assertEquals(0, cc.status(), cc.output());
        CTests.Run r = CTests.run(out, 30, exe.toString());
        assertEquals(0, r.status(), r.output());
        Map<String, Long> c = new HashMap<>();
        r.output().lines().forEach(l -> {
            int space = l.lastIndexOf(' ');
            c.put(l.substring(0, space), Long.parseUnsignedLong(l.substring(space + 1)));
        });

        Map<String, Long> java = new LinkedHashMap<>();
        java.put("LORE_ABI_VERSION", (long) LoreAbi.VERSION);
        java.put("LORE_SHARED_MAGIC", (long) LoreAbi.SHARED_MAGIC);
        java.put("LORE_CAP_TRACE", (long) LoreAbi.CAP_TRACE);
        java.put("LORE_CAP_TSC", (long) LoreAbi.CAP_TSC);
        java.put("LORE_CAP_BRANCH", (long) LoreAbi.CAP_BRANCH);
        java.put("LORE_MODE_RECORD", (long) LoreAbi.MODE_RECORD);
        java.put("LORE_MODE_REPLAY", (long) LoreAbi.MODE_REPLAY);
        java.put("LORE_CAPTURE_EXITS", (long) LoreAbi.CAPTURE_EXITS);
        java.put("LORE_CAPTURE_PIO", (long) LoreAbi.CAPTURE_PIO);
        java.put("LORE_CAPTURE_MMIO", (long) LoreAbi.CAPTURE_MMIO);
        java.put("LORE_CAPTURE_MSR", (long) LoreAbi.CAPTURE_MSR);
        java.put("LORE_CAPTURE_VIRQ", (long) LoreAbi.CAPTURE_VIRQ);
        java.put("LORE_CAPTURE_TSC", (long) LoreAbi.CAPTURE_TSC);
        java.put("LORE_CAPTURE_ALL", (long) LoreAbi.CAPTURE_ALL);
        java.put("LORE_STAT_TSC_LAYOUT_BAD", (long) LoreAbi.STAT_TSC_LAYOUT_BAD);
        java.put("LORE_REC_EXIT", (long) LoreAbi.REC_EXIT);
        java.put("LORE_REC_PIO", (long) LoreAbi.REC_PIO);
        java.put("LORE_REC_MMIO", (long) LoreAbi.REC_MMIO);
        java.put("LORE_REC_MSR", (long) LoreAbi.REC_MSR);
        java.put("LORE_REC_VIRQ", (long) LoreAbi.REC_VIRQ);
        java.put("LORE_REC_TSC", (long) LoreAbi.REC_TSC);
        java.put("LORE_REC_BRANCH", (long) LoreAbi.REC_BRANCH);
        java.put("LORE_REC_TSC_FEED", (long) LoreAbi.REC_TSC_FEED);
        java.put("LORE_F_SIZE_MASK", (long) LoreAbi.F_SIZE_MASK);
        java.put("LORE_F_WRITE", (long) LoreAbi.F_WRITE);
        java.put("LORE_IOC_VERSION", LoreAbi.IOC_VERSION.longValue());
        java.put("LORE_IOC_ATTACH", LoreAbi.IOC_ATTACH.longValue());
        java.put("LORE_IOC_DETACH", LoreAbi.IOC_DETACH.longValue());
        java.put("LORE_IOC_START", LoreAbi.IOC_START.longValue());
        java.put("LORE_IOC_STOP", LoreAbi.IOC_STOP.longValue());
        java.put("LORE_IOC_STATS", LoreAbi.IOC_STATS.longValue());
        java.put("LORE_IOC_DRAIN", LoreAbi.IOC_DRAIN.longValue());
        java.put("LORE_IOC_WAIT", LoreAbi.IOC_WAIT.longValue());
        java.put("LORE_IOC_BRANCH_ARM", LoreAbi.IOC_BRANCH_ARM.longValue());
        java.put("LORE_IOC_BRANCH_READ", LoreAbi.IOC_BRANCH_READ.longValue());
        java.put("LORE_IOC_BRANCH_NOTIFY", LoreAbi.IOC_BRANCH_NOTIFY.longValue());
        java.put("sizeof(struct lore_record)", (long) LoreAbi.RECORD_SIZE);
        java.put("sizeof(struct lore_version)", (long) LoreAbi.VERSION_SIZE);
        java.put("sizeof(struct lore_attach)", (long) LoreAbi.ATTACH_SIZE);
        java.put("sizeof(struct lore_capture)", (long) LoreAbi.CAPTURE_SIZE);
        java.put("sizeof(struct lore_stats)", (long) LoreAbi.STATS_SIZE);
        java.put("sizeof(struct lore_drain)", (long) LoreAbi.DRAIN_SIZE);
        java.put("sizeof(struct lore_wait)", (long) LoreAbi.WAIT_SIZE);
        java.put("sizeof(struct lore_branch_arm)", (long) LoreAbi.BRANCH_ARM_SIZE);
        java.put("offsetof(struct lore_shared, events_offset)", (long) LoreAbi.SHARED_EVENTS_OFFSET);
        java.put("offsetof(struct lore_shared, feed_offset)", (long) LoreAbi.SHARED_FEED_OFFSET);
        java.put("offsetof(struct lore_shared, size)", (long) LoreAbi.SHARED_SIZE);
        java.put("offsetof(struct lore_shared, events)", (long) LoreAbi.RING_EVENTS);
        java.put("offsetof(struct lore_shared, feed)", (long) LoreAbi.RING_FEED);
        java.put("offsetof(struct lore_ring, head)", (long) LoreAbi.RING_HEAD);
        java.put("offsetof(struct lore_ring, tail)", (long) LoreAbi.RING_TAIL);
        java.put("offsetof(struct lore_ring, dropped)", (long) LoreAbi.RING_DROPPED);
        java.put("offsetof(struct lore_ring, capacity)", (long) LoreAbi.RING_CAPACITY);
        java.put("offsetof(struct lore_ring, record_size)", (long) LoreAbi.RING_RECORD_SIZE);
        java.put("offsetof(struct lore_stats, flags)", 112L);
        java.put("offsetof(struct lore_stats, capturing)", 116L);

        assertEquals(c.keySet().size(), java.size(), "every number of the header is checked: " + c.keySet());
        java.forEach((name, value) -> assertEquals(c.get(name), value, name));
    }
}
