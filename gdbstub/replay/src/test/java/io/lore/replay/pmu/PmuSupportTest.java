package io.lore.replay.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PmuSupportTest {
    /** A scripted host: each field is what the real one would read. */
    static class FakeHost implements PmuSupport.Host {
        String osName = "Linux";
        String osArch = "amd64";
        String cpuinfo = CpuModelTest.AMD_EPYC_VM;
        Set<String> devices = Set.of("breakpoint", "msr", "software", "tracepoint", "uprobe");
        String paranoid = "2";
        int errno = Errno.ENOENT;
        final List<PerfEventAttr> opened = new ArrayList<>();

        public String osName() {
            return osName;
        }

        public String osArch() {
            return osArch;
        }

        public String cpuinfo() throws IOException {
            if (cpuinfo == null) {
                throw new IOException("/proc/cpuinfo: Permission denied");
            }
            return cpuinfo;
        }

        public Set<String> pmuDevices() {
            return devices;
        }

        public String paranoid() {
            return paranoid;
        }

        public int tryOpen(PerfEventAttr attr) {
            opened.add(attr);
            return errno;
        }
    }

    @Test
    void thisBuildMachineShape() {
        // AMD EPYC under a hypervisor, no 'cpu' PMU, perf_event_open → ENOENT: exactly our hosts.
        FakeHost h = new FakeHost();
        PmuSupport.Detection d = PmuSupport.detect(h);
        assertFalse(d.available());
        assertSame(BranchEvent.AMD_ZEN, d.event());
        assertEquals("no hardware PMU: /sys/bus/event_source/devices/cpu does not exist (this kernel runs under a "
                + "hypervisor that exposes no PMU to it); perf_event_open(raw 0xd1 (Ex_Ret_Cond, AMD Zen), "
                + "exclude_host, this thread) failed: ENOENT (No such file or directory): no PMU in this kernel "
                + "accepts the raw event", d.reason());
        assertEquals(1, h.opened.size(), "perf_event_open really attempted, once");
        PerfEventAttr a = h.opened.get(0);
        assertEquals(0xd1, a.config);
        assertTrue(a.has(PerfEventAttr.EXCLUDE_HOST) && !a.has(PerfEventAttr.EXCLUDE_GUEST));
        assertTrue(d.toString().startsWith("guest branch counter unavailable: no hardware PMU"));
    }

    @Test
    void availableWhenTheOpenSucceeds() {
        FakeHost h = new FakeHost();
        h.cpuinfo = CpuModelTest.SKYLAKE;
        h.devices = Set.of("cpu", "software");
        h.errno = 0;
        PmuSupport.Detection d = PmuSupport.detect(h);
        assertTrue(d.available());
        assertSame(BranchEvent.INTEL_CONDITIONAL, d.event());
        assertEquals("perf_event_open(raw 0x1c4 (BR_INST_RETIRED.CONDITIONAL, Intel Nehalem to Comet Lake), "
                + "exclude_host, this thread) succeeded on GenuineIntel family 0x6 model 0x55", d.reason());
        assertEquals(0x1c4, h.opened.get(0).config);
    }

    @Test
    void permissionFailuresExplainParanoid() {
        FakeHost h = new FakeHost();
        h.devices = Set.of("cpu");
        h.errno = Errno.EACCES;
        String r = PmuSupport.detect(h).reason();
        assertTrue(r.startsWith("perf_event_open(raw 0xd1"), r);
        assertTrue(r.contains("failed: EACCES (Permission denied): perf_event_paranoid is 2"), r);
        assertTrue(r.contains("perf_event_paranoid <= 1 or CAP_PERFMON"), r);
        assertFalse(r.contains("no hardware PMU"), r);
        h.paranoid = "3";
        h.errno = Errno.EPERM;
        r = PmuSupport.detect(h).reason();
        assertTrue(r.contains("EPERM") && r.contains("perf_event_paranoid is 3") && r.contains("forbids"), r);
        h.paranoid = null;
        assertTrue(PmuSupport.detect(h).reason().contains("/proc/sys/kernel/perf_event_paranoid is unreadable"));
    }

    @Test
    void otherErrnosAreNamed() {
        FakeHost h = new FakeHost();
        h.devices = Set.of("cpu");
        int[] errnos = {Errno.EOPNOTSUPP, Errno.EINVAL, Errno.ENODEV, Errno.ENOSYS, Errno.EBUSY, Errno.E2BIG,
            Errno.EMFILE, 123};
        String[] expect = {"EOPNOTSUPP (Operation not supported): the PMU cannot raise overflow",
            "EINVAL (Invalid argument): the kernel or PMU rejected", "ENODEV (No such device)",
            "ENOSYS (Function not implemented): the kernel has no perf events", "EBUSY", "E2BIG", "EMFILE",
            "failed: errno 123"};
        for (int i = 0; i < errnos.length; i++) {
            h.errno = errnos[i];
            PmuSupport.Detection d = PmuSupport.detect(h);
            assertFalse(d.available());
            assertTrue(d.reason().contains(expect[i]), d.reason());
        }
    }

    @Test
    void noOpenWithoutAnEventButTheReasonStillLeadsWithSysfs() {
        FakeHost h = new FakeHost();
        h.cpuinfo = CpuModelTest.AMD_EPYC_VM.replace("cpu family\t: 25", "cpu family\t: 21");
        PmuSupport.Detection d = PmuSupport.detect(h);
        assertFalse(d.available());
        assertNull(d.event());
        assertTrue(d.reason().startsWith("no hardware PMU: "), d.reason());
        assertTrue(d.reason().contains("pre-Zen"), d.reason());
        assertTrue(h.opened.isEmpty());
    }

    @Test
    void hybridIntelIsRefused() {
        FakeHost h = new FakeHost();
        h.cpuinfo = CpuModelTest.SKYLAKE.replace("model\t\t: 85", "model\t\t: 151"); // Alder Lake
        h.devices = Set.of("cpu_core", "cpu_atom", "software");
        PmuSupport.Detection d = PmuSupport.detect(h);
        assertFalse(d.available());
        assertNotNull(d.event());
        assertTrue(d.reason().startsWith("hybrid Intel PMU"), d.reason());
        assertTrue(h.opened.isEmpty());
    }

    @Test
    void wrongPlatformOrUnreadableCpuinfo() {
        FakeHost h = new FakeHost();
        h.osArch = "aarch64";
        assertTrue(PmuSupport.detect(h).reason().contains("x86-64 Linux only (os.name=Linux, os.arch=aarch64)"));
        h = new FakeHost();
        h.cpuinfo = null;
        String r = PmuSupport.detect(h).reason();
        assertTrue(r.contains("cannot identify the CPU from /proc/cpuinfo: /proc/cpuinfo: Permission denied"), r);
        h.cpuinfo = "garbage";
        assertTrue(PmuSupport.detect(h).reason().contains("has no vendor_id"));
    }

    @Test
    void jnaFailureIsReported() {
        FakeHost h = new FakeHost() {
            @Override
            public int tryOpen(PerfEventAttr attr) {
                throw new UnsatisfiedLinkError("libc.so.6 missing");
            }
        };
        String r = PmuSupport.detect(h).reason();
        assertTrue(r.contains("could not be attempted: JNA cannot bind libc") && r.contains("libc.so.6 missing"), r);
    }

    /** The real detection on this host: really tries perf_event_open and says why it failed. */
    @Test
    void thisHost() throws Exception {
        PmuSupport.Detection d = PmuSupport.detect();
        System.out.println("PmuSupport.detect() on this host: " + d);
        assertNotNull(d.reason());
        assertFalse(d.reason().isBlank());
        if (!Files.exists(Path.of(PmuSupport.DEVICES, "cpu")) && !Files.exists(Path.of(PmuSupport.DEVICES, "cpu_core"))) {
            assertFalse(d.available());
            assertTrue(d.reason().startsWith("no hardware PMU: /sys/bus/event_source/devices/cpu does not exist"),
                    d.reason());
            if (BranchEvent.select(CpuModel.fromProcCpuinfo()).supported()) {
                assertTrue(d.reason().contains("perf_event_open(raw ") && d.reason().contains(") failed: E"),
                        d.reason());
            }
        }
    }
}
