package io.lore.cdt;

import java.util.Map;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

/**
 * Starts CDT debug sessions on LoRe replays, when CDT's GDB Hardware Debugging is installed.
 * Everything goes through the debug platform's launch manager and CDT's ids (see
 * {@link CdtIds}); nothing is compiled against CDT.
 */
public final class CdtBridge {
    private final ILaunchManager manager;

    public CdtBridge(ILaunchManager manager) {
        this.manager = manager;
    }

    public CdtBridge() {
        this(DebugPlugin.getDefault().getLaunchManager());
    }

    /** CDT's launch type, or null when CDT (with its GDB Hardware Debugging feature) is not installed. */
    public ILaunchConfigurationType launchType() {
        return manager.getLaunchConfigurationType(CdtIds.JTAG_LAUNCH_TYPE);
    }

    public boolean isAvailable() {
        return launchType() != null;
    }

    /** One line saying what is missing, or null when the bridge can work. */
    public String missing() {
        if (isAvailable()) {
            return null;
        }
        return "Eclipse CDT's \"GDB Hardware Debugging\" is not installed (launch type " + CdtIds.JTAG_LAUNCH_TYPE
                + "); install CDT with it to debug replays in the IDE, or connect any gdb to the replay server";
    }

    /** Creates or updates the CDT launch configuration named {@code spec.name()} and saves it. */
    public ILaunchConfiguration configure(CdtLaunchSpec spec) throws CoreException {
        ILaunchConfigurationType type = launchType();
        if (type == null) {
            throw new IllegalStateException(missing());
        }
        ILaunchConfigurationWorkingCopy wc = null;
        for (ILaunchConfiguration c : manager.getLaunchConfigurations(type)) {
            if (c.getName().equals(spec.name())) {
                wc = c.getWorkingCopy();
                break;
            }
        }
        if (wc == null) {
            wc = type.newInstance(null, manager.generateLaunchConfigurationName(spec.name()));
        }
        for (Map.Entry<String, Object> e : spec.attributes().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Boolean b) {
                wc.setAttribute(e.getKey(), b.booleanValue());
            } else if (v instanceof Integer i) {
                wc.setAttribute(e.getKey(), i.intValue());
            } else {
                wc.setAttribute(e.getKey(), (String) v);
            }
        }
        return wc.doSave();
    }

    /** Configures and launches the CDT session in debug mode. */
    public ILaunch launch(CdtLaunchSpec spec, IProgressMonitor monitor) throws CoreException {
        return configure(spec).launch(ILaunchManager.DEBUG_MODE, monitor);
    }
}
