package io.lore.replay.pmu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The host CPU as far as choosing a PMU event needs it: vendor (CPUID leaf 0), display family
 * and model (CPUID leaf 1, extended fields already folded in by the kernel), and the flags.
 * Read from /proc/cpuinfo rather than executing CPUID, which Java cannot do; the first
 * processor entry stands for all (mixed-vendor systems do not exist; hybrid Intel parts are
 * recognised from sysfs instead, see {@link PmuSupport}).
 */
public record CpuModel(String vendor, int family, int model, Set<String> flags) {
    public static final String INTEL = "GenuineIntel";
    public static final String AMD = "AuthenticAMD";

    public CpuModel {
        flags = Set.copyOf(flags);
    }

    public static CpuModel fromProcCpuinfo() throws IOException {
        return parse(Files.readString(Path.of("/proc/cpuinfo")));
    }

    /** Parses the first processor block of /proc/cpuinfo text. */
    public static CpuModel parse(String cpuinfo) {
        String vendor = null;
        Integer family = null;
        Integer model = null;
        Set<String> flags = Set.of();
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank()) {
                if (vendor != null) {
                    break; // end of the first processor block
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "vendor_id" -> vendor = value;
                case "cpu family" -> family = Integer.parseInt(value);
                case "model" -> model = Integer.parseInt(value);
                case "flags" -> flags = new HashSet<>(Arrays.asList(value.split("\\s+")));
                default -> { }
            }
        }
        if (vendor == null || family == null || model == null) {
            throw new IllegalArgumentException("/proc/cpuinfo has no vendor_id, cpu family and model lines");
        }
        return new CpuModel(vendor, family, model, flags);
    }

    /** True when the kernel runs under a hypervisor (CPUID.1:ECX[31]), which may hide the PMU. */
    public boolean underHypervisor() {
        return flags.contains("hypervisor");
    }

    @Override
    public String toString() {
        return String.format("%s family %#x model %#x", vendor, family, model);
    }
}
