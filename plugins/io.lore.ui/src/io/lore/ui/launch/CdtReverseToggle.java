package io.lore.ui.launch;

import io.lore.cdt.CdtIds;
import io.lore.ui.LorePlugin;
import io.lore.ui.model.ReplaySession;
import io.lore.ui.model.ReplaySessions;
import java.util.Map;
import org.eclipse.core.commands.Command;
import org.eclipse.core.commands.ParameterizedCommand;
import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IDebugElement;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.handlers.RadioState;
import org.eclipse.ui.progress.UIJob;

/**
 * Turns CDT's "Reverse Debugging" toggle on (software method) once the new CDT session is
 * suspended and the toggle is enabled, so the reverse buttons are ready without a click. Best
 * effort, through the toggle's command id and radio parameter: if it does not happen within
 * 30 s (another context selected, CDT's UI changed) the user clicks the toggle, which works the
 * same thanks to {@link io.lore.cdt.ReverseWorkaround}.
 */
public final class CdtReverseToggle extends UIJob {
    private static final long PERIOD_MS = 500;
    private static final int ATTEMPTS = 60;
    private final ReplaySession session;
    private final ILaunch cdt;
    private int attempts;

    private CdtReverseToggle(ReplaySession session, ILaunch cdt) {
        super("Enable reverse debugging for " + session.label());
        this.session = session;
        this.cdt = cdt;
        setSystem(true);
    }

    /** Toggles reverse on for the CDT launch {@code cdt} once it is the Debug view's context. */
    public static void enableWhenSuspended(ReplaySession session, ILaunch cdt) {
        if (PlatformUI.isWorkbenchRunning() && cdt != null) {
            new CdtReverseToggle(session, cdt).schedule(PERIOD_MS);
        }
    }

    /** Whether the Debug view's current context belongs to our CDT launch (never toggle another session). */
    private boolean contextIsOurs() {
        IAdaptable context = DebugUITools.getDebugContext();
        ILaunch launch = null;
        if (context instanceof ILaunch l) {
            launch = l;
        } else if (context instanceof IDebugElement e) {
            launch = e.getLaunch();
        } else if (context != null) {
            launch = context.getAdapter(ILaunch.class);
        }
        if (launch != null) {
            return launch == cdt;
        }
        // DSF contexts that do not adapt: only when ours is the newest live launch
        ILaunch[] all = DebugPlugin.getDefault().getLaunchManager().getLaunches();
        for (int i = all.length - 1; i >= 0; i--) {
            if (!all[i].isTerminated() && all[i] != session.launch()) {
                return all[i] == cdt;
            }
        }
        return false;
    }

    @Override
    public IStatus runInUIThread(IProgressMonitor monitor) {
        if (!ReplaySessions.get().all().contains(session) || cdt.isTerminated() || ++attempts > ATTEMPTS) {
            return Status.OK_STATUS;
        }
        ICommandService commands = PlatformUI.getWorkbench().getService(ICommandService.class);
        IHandlerService handlers = PlatformUI.getWorkbench().getService(IHandlerService.class);
        Command toggle = commands == null ? null : commands.getCommand(CdtIds.REVERSE_TOGGLE_COMMAND);
        if (toggle == null || !toggle.isDefined() || handlers == null) {
            return Status.OK_STATUS; // no CDT UI: nothing to toggle
        }
        if (!toggle.isEnabled() || !toggle.isHandled() || !contextIsOurs()) {
            schedule(PERIOD_MS);
            return Status.OK_STATUS;
        }
        try {
            ParameterizedCommand on = ParameterizedCommand.generateCommand(toggle,
                    Map.of(RadioState.PARAMETER_ID, CdtIds.REVERSE_TOGGLE_SOFTWARE));
            handlers.executeCommand(on, null);
        } catch (Exception e) {
            LorePlugin.log("could not turn on CDT's reverse debugging toggle", e);
        }
        return Status.OK_STATUS;
    }
}
