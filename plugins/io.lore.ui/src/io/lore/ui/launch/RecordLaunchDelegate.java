package io.lore.ui.launch;

import java.io.IOException;
import java.nio.file.Files;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.LaunchConfigurationDelegate;

/** "LoRe Record": checks the configuration, then records the guest in the IDE's JVM. */
public final class RecordLaunchDelegate extends LaunchConfigurationDelegate {
    @Override
    public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        RecordSettings s = RecordSettings.of(configuration);
        try {
            if (s.output().getParent() != null) {
                Files.createDirectories(s.output().getParent());
            }
        } catch (IOException e) {
            throw LorePluginStatus.fail("cannot create the folder of " + s.output() + ": " + e.getMessage());
        }
        RecordProcess.start(launch, s);
    }

    @Override
    public boolean buildForLaunch(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
        return false; // nothing to build: the kernel is a file
    }
}
