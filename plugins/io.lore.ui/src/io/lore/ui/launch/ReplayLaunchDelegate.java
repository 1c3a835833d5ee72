package io.lore.ui.launch;

import io.lore.cdt.CdtBridge;
import io.lore.cdt.CdtLaunchSpec;
import io.lore.cdt.ReverseWorkaround;
import io.lore.debugger.DebugSession;
import io.lore.ui.LorePlugin;
import io.lore.ui.model.ReplaySession;
import io.lore.ui.prefs.LorePreferences;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.LaunchConfigurationDelegate;

/**
 * "LoRe Replay": opens the recording with the time-travel engine in the IDE's JVM and serves it
 * to GDB on 127.0.0.1. In Debug mode it also starts a CDT debug session connected to it (when
 * CDT is installed), with CDT's reverse buttons made to work (see {@link ReverseWorkaround}).
 */
public final class ReplayLaunchDelegate extends LaunchConfigurationDelegate {
    public static final String HOST = "127.0.0.1";

    @Override
    public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        ReplaySettings s = ReplaySettings.of(configuration);
        monitor.subTask("Opening " + s.recording().getFileName());
        DebugSession debug;
        try {
            debug = DebugSession.open(s.recording(), new DebugSession.Options(LorePreferences.checkpointBudgetBytes()));
        } catch (UnsupportedOperationException e) {
            throw LorePluginStatus.fail("this build's engine cannot replay for debugging yet (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            throw LorePluginStatus.fail("cannot replay " + s.recording() + ": " + oneLine(e));
        }
        int port;
        try {
            port = debug.serveGdb(HOST, s.port());
        } catch (IOException | RuntimeException e) {
            debug.close();
            throw LorePluginStatus.fail("cannot serve GDB on " + HOST + ":" + s.port() + ": " + oneLine(e));
        }
        ReplaySession session = new ReplaySession(s.recording(), debug, HOST, port, launch);
        ReplayProcess process = new ReplayProcess(launch, "LoRe replay " + session.label());
        debug.setLog(line -> process.note("lore-rsp: " + line));
        process.attach(session);
        process.info("lore: replaying " + s.recording() + "; GDB server on " + session.address());
        process.info("lore: at " + debug.when());
        Path symbols = symbols(s, process);
        String gdb = LorePreferences.gdbPath();
        process.info("lore: connect any gdb with: " + gdb + (symbols == null ? "" : " " + symbols)
                + " -ex 'target remote " + session.address() + "'");
        if (ILaunchManager.DEBUG_MODE.equals(mode) && s.startCdt()) {
            startCdt(configuration, session, symbols, gdb, process, monitor);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** The CDT session a Debug launch starts on {@code session} (writes the reverse workaround script). */
    public static CdtLaunchSpec cdtSpec(String name, ReplaySession session, Path symbols, String gdb) throws IOException {
        Path script = ReverseWorkaround.write(LorePlugin.stateDir());
        return new CdtLaunchSpec(name + " [CDT]", session.host(), session.port(), gdb, symbols, script, null);
    }

    private static Path symbols(ReplaySettings s, ReplayProcess process) {
        if (s.symbols() != null) {
            return s.symbols();
        }
        try {
            Path p = KernelSymbols.extract(s.recording(), LorePlugin.stateDir().resolve("kernels"));
            if (p != null) {
                process.info("lore: symbols from the kernel stored in the recording: " + p);
            } else {
                process.note("lore: the recorded kernel is not an ELF (no symbols); set a symbol file in the launch configuration");
            }
            return p;
        } catch (IOException e) {
            process.note("lore: cannot extract the recorded kernel: " + e.getMessage());
            return null;
        }
    }

    private static void startCdt(ILaunchConfiguration configuration, ReplaySession session, Path symbols, String gdb,
            ReplayProcess process, IProgressMonitor monitor) {
        CdtBridge bridge = new CdtBridge();
        String missing = bridge.missing();
        if (missing != null) {
            process.note("lore: no CDT debug session: " + missing);
            return;
        }
        if (symbols == null) {
            process.note("lore: no CDT debug session: CDT needs a symbol file (the guest kernel ELF); set one in the launch configuration");
            return;
        }
        try {
            CdtLaunchSpec spec = cdtSpec(configuration.getName(), session, symbols, gdb);
            org.eclipse.debug.core.ILaunch cdt = bridge.launch(spec, monitor);
            process.info("lore: started CDT session '" + spec.name() + "' (GDB Hardware Debugging); turn on "
                    + "Reverse Debugging in the Debug view to step backwards");
            CdtReverseToggle.enableWhenSuspended(session, cdt);
        } catch (IOException | CoreException | RuntimeException e) {
            process.note("lore: could not start the CDT session: " + e.getMessage());
            LorePlugin.log("CDT session for " + session.label(), e);
        }
    }
}
