package io.lore.ui;

import java.nio.file.Path;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.osgi.framework.BundleContext;

/** The UI bundle's activator: preferences, state location, logging. */
public final class LorePlugin extends AbstractUIPlugin {
    public static final String ID = "io.lore.ui";
    private static LorePlugin instance;

    @Override
    public void start(BundleContext context) throws Exception {
        super.start(context);
        instance = this;
        String guard = KickSignalGuard.install();
        if (!"installed".equals(guard) && !guard.contains("already has a handler")) {
            getLog().log(new Status(IStatus.WARNING, ID, "LoRe: " + guard + "; a vCPU kick may end the IDE", null));
        }
    }

    @Override
    public void stop(BundleContext context) throws Exception {
        io.lore.ui.model.ReplaySessions.get().closeAll();
        instance = null;
        super.stop(context);
    }

    public static LorePlugin get() {
        return instance;
    }

    /** A directory private to this bundle (GDB scripts, extracted kernels). */
    public static Path stateDir() {
        return instance.getStateLocation().toFile().toPath();
    }

    public static IStatus error(String message, Throwable cause) {
        return new Status(IStatus.ERROR, ID, message, cause);
    }

    public static void log(String message, Throwable cause) {
        if (instance != null) {
            instance.getLog().log(error(message, cause));
        }
    }
}
