package io.lore.ui.launch;

import io.lore.machine.MachineConfig;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.widgets.Composite;

/** Kernel, initrd, command line, memory and output file of a LoRe Record launch. */
public final class RecordTab extends FieldsTab {
    @Override
    public void createControl(Composite parent) {
        Composite c = grid(parent);
        field(c, "&Kernel:", LaunchAttributes.KERNEL, "A PVH ELF (Xen PVH entry note) or a Linux bzImage",
                new String[] {"*.elf", "*"}, false);
        field(c, "&Initrd:", LaunchAttributes.INITRD, "Optional initial ramdisk", new String[] {"*"}, false);
        field(c, "&Command line:", LaunchAttributes.CMDLINE, "The kernel command line", null, false);
        field(c, "&Memory (MiB):", LaunchAttributes.MEMORY_MIB, "Guest memory, 1-" + MachineConfig.MAX_MEMORY_MIB + " MiB", null, false);
        field(c, "&Output file:", LaunchAttributes.OUTPUT,
                "Where the recording is written (e.g. ${workspace_loc:/project}/guest.lore: the Recordings view lists workspace recordings)",
                new String[] {"*.lore"}, true);
    }

    @Override
    protected String defaultValue(String key) {
        return LaunchAttributes.MEMORY_MIB.equals(key) ? String.valueOf(MachineConfig.DEFAULT_MEMORY_MIB) : "";
    }

    @Override
    public boolean isValid(ILaunchConfiguration launchConfig) {
        setErrorMessage(null);
        try {
            RecordSettings.parse(expand(value(LaunchAttributes.KERNEL)), expand(value(LaunchAttributes.INITRD)),
                    value(LaunchAttributes.CMDLINE), value(LaunchAttributes.MEMORY_MIB), expand(value(LaunchAttributes.OUTPUT)));
            return true;
        } catch (IllegalArgumentException | CoreException e) {
            setErrorMessage(e.getMessage());
            return false;
        }
    }

    static String expand(String s) throws CoreException {
        return s.isEmpty() ? s : VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(s);
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy configuration) {
        super.performApply(configuration);
    }

    @Override
    public String getName() {
        return "Guest";
    }
}
