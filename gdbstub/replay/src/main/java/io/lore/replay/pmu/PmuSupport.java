package io.lore.replay.pmu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides whether this host can position asynchronous events with a guest branch counter, and
 * says precisely why not when it cannot. Looking at sysfs is not enough (a PMU may be listed yet
 * refuse guest-only counting, or be hidden by a hypervisor), so {@link #detect()} really opens
 * the exact counter {@link GuestBranchCounter} would open, on the calling thread, and closes it.
 *
 * <p>Usage: {@code Detection d = PmuSupport.detect(); if (d.available()) ... else log(d.reason())}.
 */
public final class PmuSupport {
    static final String DEVICES = "/sys/bus/event_source/devices";
    static final String PARANOID = "/proc/sys/kernel/perf_event_paranoid";

    private PmuSupport() {}

    /**
     * @param available true if the branch counter can be opened here
     * @param event the event chosen for this CPU (null if the CPU has none)
     * @param reason why it is (un)available, for logs and error messages
     */
    public record Detection(boolean available, BranchEvent event, String reason) {
        @Override
        public String toString() {
            return (available ? "guest branch counter available: " : "guest branch counter unavailable: ") + reason;
        }
    }

    /** What detection reads from the host; a seam so each failure can be tested without it. */
    interface Host {
        String osName();

        String osArch();

        String cpuinfo() throws IOException;

        /** Names under /sys/bus/event_source/devices (empty if the directory is missing). */
        Set<String> pmuDevices();

        /** perf_event_paranoid's value, or null if unreadable. */
        String paranoid();

        /** Opens and closes the event on the calling thread; 0 on success, else the errno. */
        int tryOpen(PerfEventAttr attr);
    }

    public static Detection detect() {
        return detect(REAL);
    }

    static Detection detect(Host host) {
        String arch = host.osArch();
        if (!host.osName().startsWith("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Detection(false, null, "perf_event_open support is written for x86-64 Linux only (os.name="
                    + host.osName() + ", os.arch=" + arch + ")");
        }
        Set<String> devices = host.pmuDevices();
        CpuModel cpu;
        try {
            cpu = CpuModel.parse(host.cpuinfo());
        } catch (IOException | RuntimeException e) {
            return unavailable(noPmu(devices, null), null, "cannot identify the CPU from /proc/cpuinfo: " + e.getMessage());
        }
        String noPmu = noPmu(devices, cpu);
        BranchEvent.Selection sel = BranchEvent.select(cpu);
        if (!sel.supported()) {
            return unavailable(noPmu, null, sel.reason());
        }
        BranchEvent event = sel.event();
        if (devices.contains("cpu_atom")) {
            // Hybrid Intel: E-cores have their own PMU and event encoding; a vCPU thread that
            // migrates to one would silently stop counting.
            return unavailable(null, event, "hybrid Intel PMU (" + DEVICES + " has cpu_core and cpu_atom): "
                    + "a vCPU thread on an E-core would not be counted; not supported");
        }
        String what = "perf_event_open(" + event.describe() + ", exclude_host, this thread)";
        int errno;
        try {
            errno = host.tryOpen(GuestBranchCounter.guestOnlyAttr(event));
        } catch (LinkageError e) {
            return unavailable(noPmu, event, what + " could not be attempted: JNA cannot bind libc: " + e);
        }
        if (errno == 0) {
            return new Detection(true, event, what + " succeeded on " + cpu);
        }
        return unavailable(noPmu, event, what + " failed: " + Errno.describe(errno) + hint(errno, host.paranoid()));
    }

    /** The sysfs finding, when there is no core PMU, leads every reason: it is the root cause. */
    private static Detection unavailable(String noPmu, BranchEvent event, String why) {
        return new Detection(false, event, noPmu != null ? noPmu + "; " + why : why);
    }

    private static String noPmu(Set<String> devices, CpuModel cpu) {
        if (devices.contains("cpu") || devices.contains("cpu_core")) {
            return null;
        }
        return "no hardware PMU: " + DEVICES + "/cpu does not exist"
                + (cpu != null && cpu.underHypervisor() ? " (this kernel runs under a hypervisor that exposes no PMU to it)"
                        : "");
    }

    private static String hint(int errno, String paranoid) {
        switch (errno) {
            case Errno.ENOENT:
                return ": no PMU in this kernel accepts the raw event";
            case Errno.EACCES:
            case Errno.EPERM:
                String p = paranoid == null ? PARANOID + " is unreadable" : "perf_event_paranoid is " + paranoid;
                return ": " + p + "; counting guest kernel mode (LoRe guests run at CPL0) needs "
                        + "perf_event_paranoid <= 1 or CAP_PERFMON"
                        + (paranoid != null && paranoid.matches("\\d+") && Integer.parseInt(paranoid) >= 3
                                ? " (a value of 3 or more forbids perf_event_open to unprivileged users entirely)" : "");
            case Errno.EOPNOTSUPP:
                return ": the PMU cannot raise overflow interrupts or cannot count guest mode only";
            case Errno.EINVAL:
                return ": the kernel or PMU rejected the attributes (raw config, exclude_host or sample period)";
            case Errno.ENODEV:
                return ": the PMU does not support this event";
            case Errno.ENOSYS:
                return ": the kernel has no perf events (CONFIG_PERF_EVENTS) or a seccomp filter blocks the call";
            case Errno.EBUSY:
                return ": the hardware counters are in exclusive use (NMI watchdog, another profiler)";
            case Errno.E2BIG:
                return ": the kernel's perf_event_attr is older and rejects fields it does not know";
            case Errno.EMFILE:
                return ": too many open files";
            default:
                return "";
        }
    }

    private static final Host REAL = new Host() {
        @Override
        public String osName() {
            return System.getProperty("os.name", "");
        }

        @Override
        public String osArch() {
            return System.getProperty("os.arch", "");
        }

        @Override
        public String cpuinfo() throws IOException {
            return Files.readString(Path.of("/proc/cpuinfo"));
        }

        @Override
        public Set<String> pmuDevices() {
            try (Stream<Path> s = Files.list(Path.of(DEVICES))) {
                return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            } catch (IOException e) {
                return Set.of();
            }
        }

        @Override
        public String paranoid() {
            try {
                return Files.readString(Path.of(PARANOID)).trim();
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public int tryOpen(PerfEventAttr attr) {
            try {
                int fd = PerfEventOpen.open(attr, 0, -1, -1, PerfEventOpen.PERF_FLAG_FD_CLOEXEC);
                PerfEventOpen.close(fd);
                return 0;
            } catch (PerfEventException e) {
                return e.errno();
            }
        }
    };
}
