package io.lore.ui.launch;

import io.lore.ui.model.ReplaySession;
import io.lore.ui.model.ReplaySessions;
import org.eclipse.debug.core.ILaunch;

/** The replay server shown as a process: its console says where GDB connects; Terminate closes the replay. */
public final class ReplayProcess extends LoreProcess {
    private volatile ReplaySession session;

    ReplayProcess(ILaunch launch, String label) {
        super(launch, label, null);
    }

    void attach(ReplaySession s) {
        session = s;
        setAttribute(ATTR_CMDLINE, "replay " + s.recording() + ", GDB server " + s.address());
        register();
        ReplaySessions.get().add(s);
    }

    public ReplaySession session() {
        return session;
    }

    @Override
    protected void requestStop() {
        ReplaySession s = session;
        if (s != null) {
            ReplaySessions.get().remove(s);
            try {
                s.debug().close();
            } catch (RuntimeException e) {
                note("lore: closing the replay: " + e.getMessage());
            }
        }
        note("lore: replay server stopped");
        ended(0);
    }

    public void info(String line) {
        streams.out().append(line.endsWith("\n") ? line : line + "\n");
    }
}
