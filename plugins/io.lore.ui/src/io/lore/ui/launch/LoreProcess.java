package io.lore.ui.launch;

import java.util.HashMap;
import java.util.Map;
import org.eclipse.core.runtime.PlatformObject;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IStreamsProxy;

/**
 * Work LoRe does inside the IDE's JVM (a recording, a replay server) shown as a process of its
 * launch: it appears in the Debug view, its output in the Console view, and Terminate stops it.
 */
public abstract class LoreProcess extends PlatformObject implements IProcess {
    private final ILaunch launch;
    private final String label;
    protected final LoreStreamsProxy streams;
    private final Map<String, String> attributes = new HashMap<>();
    private volatile boolean terminated;
    private volatile int exitValue;

    protected LoreProcess(ILaunch launch, String label, ConsoleInput input) {
        this.launch = launch;
        this.label = label;
        this.streams = new LoreStreamsProxy(input);
        attributes.put(IProcess.ATTR_PROCESS_TYPE, "io.lore");
    }

    /** Adds the process to its launch (the console opens) and announces it. */
    protected void register() {
        launch.addProcess(this);
        fire(DebugEvent.CREATE);
    }

    /** Called when the work has ended: records the exit value and announces it. */
    protected void ended(int exit) {
        if (terminated) {
            return;
        }
        exitValue = exit;
        terminated = true;
        streams.closeInputStream();
        fire(DebugEvent.TERMINATE);
    }

    private void fire(int kind) {
        DebugPlugin p = DebugPlugin.getDefault();
        if (p != null) {
            p.fireDebugEventSet(new DebugEvent[] {new DebugEvent(this, kind)});
        }
    }

    /** Asks the work to stop; it calls {@link #ended} when it has. */
    protected abstract void requestStop();

    public void note(String line) {
        streams.err().append(line.endsWith("\n") ? line : line + "\n");
    }

    public LoreStreamsProxy streams() {
        return streams;
    }

    @Override
    public String getLabel() {
        return label;
    }

    @Override
    public ILaunch getLaunch() {
        return launch;
    }

    @Override
    public IStreamsProxy getStreamsProxy() {
        return streams;
    }

    @Override
    public synchronized void setAttribute(String key, String value) {
        attributes.put(key, value);
    }

    @Override
    public synchronized String getAttribute(String key) {
        return attributes.get(key);
    }

    @Override
    public int getExitValue() throws DebugException {
        if (!terminated) {
            throw new DebugException(LorePluginStatus.error(label + " is still running", null));
        }
        return exitValue;
    }

    @Override
    public boolean canTerminate() {
        return !terminated;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void terminate() {
        if (!terminated) {
            requestStop();
        }
    }
}
