package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lore.ui.launch.LaunchAttributes;
import io.lore.ui.launch.RecordProcess;
import java.nio.file.Path;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

/** Makes recordings the way a user does: a LoRe Record launch configuration, launched. */
final class Recordings {
    private Recordings() {}

    static ILaunchConfigurationWorkingCopy config(String name, Path kernel, String cmdline, String output) throws Exception {
        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE).newInstance(null, name);
        wc.setAttribute(LaunchAttributes.KERNEL, kernel.toString());
        wc.setAttribute(LaunchAttributes.CMDLINE, cmdline);
        wc.setAttribute(LaunchAttributes.MEMORY_MIB, "64");
        wc.setAttribute(LaunchAttributes.OUTPUT, output);
        return wc;
    }

    /** Launches and returns the recording process (it runs on its own). */
    static RecordProcess start(ILaunchConfigurationWorkingCopy wc) throws Exception {
        ILaunch launch = wc.launch(ILaunchManager.RUN_MODE, null);
        assertEquals(1, launch.getProcesses().length, "a LoRe Record launch has one process");
        RecordProcess p = (RecordProcess) launch.getProcesses()[0];
        assertNotNull(p);
        return p;
    }

    /** Records a guest to its end and returns the recording process. */
    static RecordProcess record(String name, Path kernel, String output) throws Exception {
        RecordProcess p = start(config(name, kernel, "", output));
        Ui.waitUntil("the recording of " + kernel.getFileName() + " to end", 120, p::isTerminated);
        return p;
    }
}
