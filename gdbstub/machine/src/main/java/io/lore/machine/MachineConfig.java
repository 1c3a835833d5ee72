package io.lore.machine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** How to build and boot a machine: what the `lore run` and `lore record` options describe. */
public record MachineConfig(Path kernel, Path initrd, String cmdline, int memoryMiB, Duration timeLimit) {
    public static final int DEFAULT_MEMORY_MIB = 128;
    public static final int MAX_MEMORY_MIB = 3072; // below the 32-bit PCI hole: one flat RAM slot

    public MachineConfig {
        Objects.requireNonNull(kernel, "kernel");
        cmdline = cmdline == null ? "" : cmdline;
        if (memoryMiB < 2 || memoryMiB > MAX_MEMORY_MIB) {
            throw new IllegalArgumentException("memory must be between 2 and " + MAX_MEMORY_MIB + " MiB, not " + memoryMiB);
        }
    }

    public static MachineConfig of(Path kernel) {
        return new MachineConfig(kernel, null, "", DEFAULT_MEMORY_MIB, null);
    }

    public MachineConfig withInitrd(Path p) { return new MachineConfig(kernel, p, cmdline, memoryMiB, timeLimit); }
    public MachineConfig withCmdline(String s) { return new MachineConfig(kernel, initrd, s, memoryMiB, timeLimit); }
    public MachineConfig withMemoryMiB(int m) { return new MachineConfig(kernel, initrd, cmdline, m, timeLimit); }
    public MachineConfig withTimeLimit(Duration d) { return new MachineConfig(kernel, initrd, cmdline, memoryMiB, d); }
}
