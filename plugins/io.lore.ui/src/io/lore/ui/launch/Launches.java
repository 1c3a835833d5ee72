package io.lore.ui.launch;

import java.nio.file.Path;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

/** Finds or creates the LoRe Replay launch configuration of a recording. */
public final class Launches {
    private Launches() {}

    public static ILaunchConfiguration replayConfiguration(Path recording) throws CoreException {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType type = m.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE);
        String file = recording.toAbsolutePath().normalize().toString();
        for (ILaunchConfiguration c : m.getLaunchConfigurations(type)) {
            if (file.equals(c.getAttribute(LaunchAttributes.RECORDING, ""))) {
                return c;
            }
        }
        ILaunchConfigurationWorkingCopy wc = type.newInstance(null,
                m.generateLaunchConfigurationName("Replay " + recording.getFileName()));
        wc.setAttribute(LaunchAttributes.RECORDING, file);
        wc.setAttribute(LaunchAttributes.START_CDT, true);
        return wc.doSave();
    }
}
