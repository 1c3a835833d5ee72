package io.lore.ui.launch;

import io.lore.ui.LorePlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;

/** Statuses and exceptions with LoRe's one-line messages. */
final class LorePluginStatus {
    private LorePluginStatus() {}

    static IStatus error(String message, Throwable cause) {
        return new Status(IStatus.ERROR, LorePlugin.ID, message, cause);
    }

    static CoreException fail(String message) {
        return new CoreException(error(message, null));
    }
}
