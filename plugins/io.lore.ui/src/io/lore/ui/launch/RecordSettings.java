package io.lore.ui.launch;

import io.lore.machine.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;

/**
 * A LoRe Record launch configuration, checked: every problem is reported as one line naming
 * the field and the value.
 */
public record RecordSettings(Path kernel, Path initrd, String cmdline, int memoryMiB, Path output) {

    public static RecordSettings of(ILaunchConfiguration c) throws CoreException {
        try {
            return parse(text(c, LaunchAttributes.KERNEL), text(c, LaunchAttributes.INITRD),
                    c.getAttribute(LaunchAttributes.CMDLINE, ""),
                    c.getAttribute(LaunchAttributes.MEMORY_MIB, String.valueOf(MachineConfig.DEFAULT_MEMORY_MIB)),
                    text(c, LaunchAttributes.OUTPUT));
        } catch (IllegalArgumentException e) {
            throw LorePluginStatus.fail(e.getMessage());
        }
    }

    static String text(ILaunchConfiguration c, String key) throws CoreException {
        String raw = c.getAttribute(key, "").trim();
        return raw.isEmpty() ? raw : VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(raw);
    }

    /** Checks raw field values (also used by the tab to show errors as the user types). */
    public static RecordSettings parse(String kernel, String initrd, String cmdline, String memory, String output) {
        Path k = existingFile(kernel, "kernel");
        Path i = initrd == null || initrd.isBlank() ? null : existingFile(initrd, "initrd");
        int mem;
        try {
            mem = Integer.parseInt(memory.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory must be a whole number of MiB, not '" + memory + "'");
        }
        if (mem < 1 || mem > MachineConfig.MAX_MEMORY_MIB) {
            throw new IllegalArgumentException("memory must be 1-" + MachineConfig.MAX_MEMORY_MIB + " MiB, not " + mem);
        }
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("no output file: choose where the recording goes (e.g. guest.lore)");
        }
        Path out = Path.of(output.trim());
        if (!out.isAbsolute()) {
            throw new IllegalArgumentException("output file must be an absolute path (or use ${workspace_loc:...}): '" + output + "'");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("output file is a directory: " + out);
        }
        return new RecordSettings(k, i, cmdline == null ? "" : cmdline, mem, out);
    }

    static Path existingFile(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no " + what + " file given");
        }
        Path p = Path.of(value.trim());
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(what + " file not found: " + p);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(what + " is not a regular file: " + p);
        }
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(what + " file is not readable: " + p);
        }
        return p;
    }

    public MachineConfig machine() {
        MachineConfig m = MachineConfig.of(kernel).withCmdline(cmdline).withMemoryMiB(memoryMiB);
        return initrd == null ? m : m.withInitrd(initrd);
    }
}
