package io.lore.ui.model;

import io.lore.debugger.DebugSession;
import java.nio.file.Path;
import org.eclipse.debug.core.ILaunch;

/** A replay running in the IDE: the engine's debug session, where GDB reaches it, and its launch. */
public record ReplaySession(Path recording, DebugSession debug, String host, int port, ILaunch launch) {
    public String address() {
        return host + ":" + port;
    }

    public String label() {
        return recording.getFileName() + " @ " + address();
    }
}
