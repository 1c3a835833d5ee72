package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lore.debugger.TimelineEntry;
import io.lore.replay.travel.Position;
import io.lore.ui.launch.LaunchAttributes;
import io.lore.ui.launch.RecordProcess;
import io.lore.ui.launch.ReplayProcess;
import io.lore.ui.model.ReplaySession;
import io.lore.ui.model.ReplaySessions;
import io.lore.ui.views.RecordingsView;
import io.lore.ui.views.TimelineLayout;
import io.lore.ui.views.TimelineView;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * LoRe Replay in the workbench, end to end: a recording of the demo guest made by a LoRe Record
 * launch is replayed by a LoRe Replay launch in the IDE's JVM; the real gdb connects to its
 * server and steps forward and backward; the engine API, `monitor when` and the Timeline view
 * agree on where the replay is; a double-click on the Timeline seeks the replay.
 */
class ReplayUiTest {
    private static final Pattern ADDRESS = Pattern.compile("0x([0-9a-f]+)");

    @AfterEach
    void stopReplays() {
        for (ReplaySession s : ReplaySessions.get().all()) {
            for (var p : s.launch().getProcesses()) {
                try {
                    p.terminate();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
    }

    private static Path recordDemo() throws Exception {
        IProject project = Ui.project("lore-replay-test");
        Path file = project.getLocation().toFile().toPath().resolve("demo.lore");
        if (!file.toFile().isFile()) {
            RecordProcess p = Recordings.record("record demo", Ui.guest("demo.elf"), file.toString());
            assertNull(p.failure(), () -> "recording the demo failed: " + p.failure());
        }
        return file;
    }

    private static ReplayProcess launchReplay(Path recording, String mode) throws Exception {
        return launchReplay(recording, mode, "0");
    }

    private static ReplayProcess launchReplay(Path recording, String mode, String port) throws Exception {
        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE).newInstance(null, "replay demo");
        wc.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        wc.setAttribute(LaunchAttributes.PORT, port);
        ILaunch launch;
        try {
            launch = wc.launch(mode, null);
        } catch (CoreException e) {
            String m = e.getStatus().getMessage();
            if (m.contains("cannot replay for debugging yet")) {
                Assumptions.abort("the time-travel engine is not in this build: " + m);
            }
            throw e;
        }
        assertEquals(1, launch.getProcesses().length);
        return (ReplayProcess) launch.getProcesses()[0];
    }

    private static long pc(GdbMi gdb) throws Exception {
        Matcher m = ADDRESS.matcher(gdb.evaluate("$pc"));
        assertTrue(m.find());
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    @Test
    void gdbReverseStepsTheReplayAndTheTimelineFollowsAndSeeks() throws Exception {
        assumeTrue(GdbMi.available(ReverseWorkaroundTest.GDB), "gdb not found");
        Path recording = recordDemo();
        ReplayProcess process = launchReplay(recording, ILaunchManager.RUN_MODE);
        ReplaySession s = process.session();
        assertNotNull(s);
        assertTrue(s.port() > 0 && s.port() < 65536, "bound port " + s.port());
        assertEquals(s, ReplaySessions.get().active());
        String console = process.streams().out().text();
        assertTrue(console.contains("GDB server on 127.0.0.1:" + s.port()), console);

        TimelineView timeline = Ui.show(TimelineView.ID);
        Ui.waitUntil("the Timeline to load the replay", 60,
                () -> timeline.session() == s && !timeline.entries().isEmpty() && !Double.isNaN(timeline.markerSeconds()));
        List<TimelineEntry> entries = s.debug().timeline();
        assertEquals(entries.size(), timeline.entries().size());
        Set<String> lanes = new LinkedHashSet<>();
        entries.forEach(e -> lanes.add(e.lane()));
        TimelineLayout layout = timeline.layout();
        assertTrue(layout.lanes().containsAll(lanes), "every lane of the recording is drawn: " + layout.lanes());
        assertTrue(lanes.stream().anyMatch(l -> l.startsWith("interrupt")), "the demo is preempted by the timer: " + lanes);

        try (GdbMi gdb = new GdbMi(ReverseWorkaroundTest.GDB)) {
            assertTrue(GdbMi.result(gdb.send("-target-select remote " + s.address())).startsWith("^connected"), gdb.transcript());
            Position start = s.debug().position();
            assertEquals(s.debug().when().strip(), gdb.console("monitor when").strip(), "gdb and the IDE disagree on where the replay is");

            long[] pcs = new long[4];
            Position[] positions = new Position[4];
            pcs[0] = pc(gdb);
            positions[0] = start;
            for (int i = 1; i <= 3; i++) {
                gdb.run("-interpreter-exec console \"stepi 1\"");
                pcs[i] = pc(gdb);
                positions[i] = s.debug().position();
                assertNotEquals(positions[i - 1], positions[i], "stepi did not move the replay");
            }
            // the Timeline follows GDB's moves
            Ui.waitUntil("the Timeline header to show the position after GDB's steps", 20,
                    () -> timeline.headerText().contains(s.debug().when().strip()));

            gdb.run("-interpreter-exec console \"reverse-stepi 1\"");
            assertEquals(pcs[2], pc(gdb), "reverse-stepi must return to the previous instruction");
            assertEquals(positions[2], s.debug().position(), "positions are canonical: same instant, same position");
            assertEquals(s.debug().when().strip(), gdb.console("monitor when").strip());
            Ui.waitUntil("the Timeline to follow the reverse step", 20,
                    () -> timeline.headerText().contains(s.debug().when().strip()));

            // a double-click on the Timeline seeks there: pick an event in the middle of its lane
            TimelineEntry target = entries.get(entries.size() / 2);
            layout = timeline.layout();
            int lane = layout.lanes().indexOf(target.lane());
            Event click = new Event();
            click.x = layout.x(target.guestSeconds());
            click.y = layout.laneTop(lane) + TimelineLayout.LANE_HEIGHT / 2;
            click.button = 1;
            click.count = 2;
            // many events share a pixel: the seek goes to the first one drawn there
            TimelineEntry chosen = layout.nearest(target.lane(), click.x, 3);
            assertEquals("event " + chosen.eventIndex(), layout.seekTarget(click.x, click.y));
            Position before = s.debug().position();
            timeline.canvas().notifyListeners(SWT.MouseDoubleClick, click);
            assertNotNull(timeline.lastSeek(), "the double-click did not seek");
            timeline.lastSeek().join();
            Position after = s.debug().position();
            assertNotEquals(before, after, "the seek did not move the replay");
            assertEquals(chosen.exit(), after.exit(), "the seek must land at the event's exit");
            assertEquals(s.debug().when().strip(), gdb.console("monitor when").strip(), "gdb sees the seek through monitor when");
            Ui.waitUntil("the Timeline marker to move to the seek target", 20,
                    () -> Math.abs(timeline.markerSeconds() - s.debug().guestSeconds()) < 1e-9
                            && timeline.headerText().contains(s.debug().when().strip()));
            Ui.screenshotView(timeline, timeline.canvas().getParent(), "timeline-view");

            // GDB sees where the seek went once its register cache is flushed, and can go back from there
            gdb.console("maint flush register-cache");
            long seekPc = pc(gdb);
            gdb.run("-interpreter-exec console \"stepi 1\"");
            gdb.run("-interpreter-exec console \"reverse-stepi 1\"");
            assertEquals(seekPc, pc(gdb));
            assertEquals(after, s.debug().position());
            // reverse-continue with no breakpoint runs back to the start of the recording
            java.util.List<String> rc = gdb.run("-interpreter-exec console reverse-continue");
            assertTrue(String.join("\n", rc).contains("No more reverse-execution history"), gdb.transcript());
            assertEquals(start, s.debug().position());
            Ui.waitUntil("the Timeline to follow back to the start", 20, () -> timeline.markerSeconds() == 0.0);
        }

        process.terminate();
        Ui.waitUntil("the replay to stop", 20, process::isTerminated);
        assertFalse(ReplaySessions.get().all().contains(s));
        Ui.waitUntil("the Timeline to show no replay", 10, () -> timeline.session() == null);
    }

    private static final Pattern FRAME = Pattern.compile("frame=\\{.*?func=\"([^\"]+)\".*?line=\"(\\d+)\"");

    /** The function and line of the last *stopped record. */
    private static String where(List<String> out) {
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).startsWith("*stopped")) {
                Matcher m = FRAME.matcher(out.get(i));
                return m.find() ? m.group(1) + ":" + m.group(2) : "?";
            }
        }
        return "no stop";
    }

    /**
     * GDB driven with exactly what CDT's GDB Hardware Debugging sends for the configuration the
     * bridge builds, its values read back from the bridge's attributes as CDT reads them
     * (GDBJtagDSFFinalLaunchSequence: -file-exec-file, symbol-file, -target-select remote, the
     * init commands; then the Reverse Debugging toggle's "record full", breakpoints, Step Over
     * (-exec-next), Reverse Step Over (reverse-next), Reverse Step Return (reverse-finish) and
     * Reverse Resume (reverse-continue)), against the replay of the demo guest with its symbols.
     */
    @Test
    void cdtsCommandsFromTheBridgesConfigurationDebugTheReplayBackwards() throws Exception {
        assumeTrue(GdbMi.available(ReverseWorkaroundTest.GDB), "gdb not found");
        ReplayProcess process = launchReplay(recordDemo(), ILaunchManager.RUN_MODE);
        ReplaySession s = process.session();
        java.util.Map<String, Object> a = io.lore.ui.launch.ReplayLaunchDelegate
                .cdtSpec("replay demo", s, Ui.guest("demo.elf"), ReverseWorkaroundTest.GDB).attributes();
        String program = (String) a.get("org.eclipse.cdt.launch.PROGRAM_NAME");
        String symbols = (String) a.get("org.eclipse.cdt.debug.gdbjtag.core.symbolsFileName");
        String connection = new java.net.URI((String) a.get("org.eclipse.cdt.debug.gdbjtag.core.connection")).getSchemeSpecificPart();
        assertEquals(s.address(), connection);
        assertEquals(Boolean.FALSE, a.get("org.eclipse.cdt.debug.gdbjtag.core.loadImage"));
        assertEquals(Boolean.FALSE, a.get("org.eclipse.cdt.debug.gdbjtag.core.setResume"));
        try (GdbMi gdb = new GdbMi((String) a.get("org.eclipse.cdt.dsf.gdb.DEBUG_NAME"))) {
            assertTrue(GdbMi.result(gdb.send("-file-exec-file " + program)).startsWith("^done"), gdb.transcript());
            assertTrue(GdbMi.result(gdb.send("symbol-file " + symbols)).startsWith("^done"), gdb.transcript());
            assertTrue(GdbMi.result(gdb.send("-target-select remote " + connection)).startsWith("^connected"), gdb.transcript());
            for (String init : ((String) a.get("org.eclipse.cdt.debug.gdbjtag.core.initCommands")).split("\\r?\\n")) {
                assertTrue(GdbMi.result(gdb.send(init)).startsWith("^done"), gdb.transcript());
            }
            assertTrue(GdbMi.result(gdb.send("record full")).startsWith("^done"), "CDT's Reverse Debugging toggle\n" + gdb.transcript());

            assertTrue(GdbMi.result(gdb.send("-break-insert ring_put")).startsWith("^done"), gdb.transcript());
            String first = where(gdb.run("-exec-continue"));
            assertTrue(first.startsWith("ring_put:"), first + "\n" + gdb.transcript());
            Position firstHit = s.debug().position();
            String second = where(gdb.run("-exec-continue"));
            assertTrue(second.startsWith("ring_put:"), second);
            Position secondHit = s.debug().position();
            assertNotEquals(firstHit, secondHit);

            String line1 = where(gdb.run("-exec-next"));
            String line2 = where(gdb.run("-exec-next"));
            assertNotEquals(line1, line2, gdb.transcript());
            String back = where(gdb.run("-interpreter-exec console \"reverse-next 1\""));
            assertEquals(line1, back, "Reverse Step Over must return to the previous line\n" + gdb.transcript());

            // (a breakpoint at the function's entry would stop Reverse Step Return there, as in any GDB)
            assertTrue(GdbMi.result(gdb.send("-break-delete 1")).startsWith("^done"), gdb.transcript());
            String caller = where(gdb.run("-interpreter-exec console reverse-finish"));
            assertTrue(caller.startsWith("producer:"), "Reverse Step Return lands in the caller: " + caller + "\n" + gdb.transcript());

            assertTrue(GdbMi.result(gdb.send("-break-insert ring_put")).startsWith("^done"), gdb.transcript());
            String previous = where(gdb.run("-interpreter-exec console reverse-continue"));
            assertTrue(previous.startsWith("ring_put:"), previous + "\n" + gdb.transcript());
            assertEquals(firstHit, s.debug().position(), "Reverse Resume stops at the previous hit of the breakpoint");
            assertEquals(s.debug().when().strip(), gdb.console("monitor when").strip());
        }
    }

    @Test
    void debugModeWithoutCdtKeepsTheServerAndSaysWhatIsMissing() throws Exception {
        Path recording = recordDemo();
        ReplayProcess process = launchReplay(recording, ILaunchManager.DEBUG_MODE);
        assertNotNull(process.session());
        String notes = process.streams().err().text();
        assertTrue(notes.contains("no CDT debug session: Eclipse CDT's \"GDB Hardware Debugging\" is not installed"), notes);
        assertFalse(process.isTerminated(), "the replay server keeps running for any gdb");
        String out = process.streams().out().text();
        assertTrue(out.contains("symbols from the kernel stored in the recording"), out);
        assertTrue(out.contains("target remote " + process.session().address()), out);
    }

    @Test
    void preferencesChooseThePortAndTheGdbWhenTheConfigurationDoesNot() throws Exception {
        Path recording = recordDemo();
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        var store = io.lore.ui.LorePlugin.get().getPreferenceStore();
        store.setValue(io.lore.ui.prefs.LorePreferences.PORT, free);
        store.setValue(io.lore.ui.prefs.LorePreferences.GDB_PATH, "/opt/cross/bin/x86_64-elf-gdb");
        try {
            ReplayProcess process = launchReplay(recording, ILaunchManager.RUN_MODE, "");
            assertEquals(free, process.session().port(), "an empty port takes the preference");
            assertTrue(process.streams().out().text().contains("connect any gdb with: /opt/cross/bin/x86_64-elf-gdb "),
                    process.streams().out().text());
            // a second replay on the same port fails in one line, and leaves the first one alone
            CoreException busy = org.junit.jupiter.api.Assertions.assertThrows(CoreException.class,
                    () -> launchReplay(recording, ILaunchManager.RUN_MODE, String.valueOf(free)));
            assertTrue(busy.getStatus().getMessage().startsWith("cannot serve GDB on 127.0.0.1:" + free + ": "),
                    busy.getStatus().getMessage());
            assertFalse(busy.getStatus().getMessage().contains("\n"));
            assertFalse(process.isTerminated());
        } finally {
            store.setToDefault(io.lore.ui.prefs.LorePreferences.PORT);
            store.setToDefault(io.lore.ui.prefs.LorePreferences.GDB_PATH);
        }
    }

    /**
     * The bridge turns CDT's Reverse Debugging toggle on by its command id and radio parameter,
     * for its own CDT session only. CDT is not installed here, so the test bundle contributes a
     * stand-in command with CDT's id and parameter, and a plain launch stands for CDT's.
     */
    @Test
    void theReverseToggleIsTurnedOnForOurCdtSessionOnly() throws Exception {
        ReplayProcess process = launchReplay(recordDemo(), ILaunchManager.RUN_MODE);
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        org.eclipse.debug.core.Launch ours = new org.eclipse.debug.core.Launch(null, ILaunchManager.DEBUG_MODE, null);
        org.eclipse.debug.core.Launch other = new org.eclipse.debug.core.Launch(null, ILaunchManager.DEBUG_MODE, null);
        StandInReverseToggle.CALLS.clear();
        m.addLaunch(ours);
        m.addLaunch(other);
        try {
            io.lore.ui.launch.CdtReverseToggle.enableWhenSuspended(process.session(), ours);
            Ui.spin(2500);
            assertTrue(StandInReverseToggle.CALLS.isEmpty(), "another debug session is the current one: " + StandInReverseToggle.CALLS);
            m.removeLaunch(other);
            Ui.waitUntil("the Reverse Debugging toggle to be turned on", 15, () -> !StandInReverseToggle.CALLS.isEmpty());
            Ui.spin(1200);
            assertEquals(List.of("UseSoftTrace"), StandInReverseToggle.CALLS, "once, with CDT's software method");
        } finally {
            m.removeLaunch(ours);
            m.removeLaunch(other);
        }
    }

    @Test
    void aBadRecordingFailsInOneLine() throws Exception {
        Path junk = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("junk", ".lore"), "not a recording");
        CoreException e = org.junit.jupiter.api.Assertions.assertThrows(CoreException.class,
                () -> launchReplay(junk, ILaunchManager.RUN_MODE));
        String m = e.getStatus().getMessage();
        assertTrue(m.startsWith("cannot replay " + junk + ": "), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(ReplaySessions.get().all().isEmpty(), "nothing may be left running");
    }

    @Test
    void theRecordingsViewReplaysASelectedRecording() throws Exception {
        Path recording = recordDemo();
        RecordingsView view = Ui.show(RecordingsView.ID);
        view.refresh();
        Ui.waitUntil("the Recordings view to list demo.lore", 30, () -> view.rows().stream().anyMatch(i -> i.path().equals(recording)));
        view.replay(List.of(recording), ILaunchManager.RUN_MODE).join();
        String error = view.lastError();
        if (error != null && error.contains("cannot replay for debugging yet")) {
            Assumptions.abort("the time-travel engine is not in this build: " + error);
        }
        assertNull(error);
        ReplaySession s = ReplaySessions.get().active();
        assertNotNull(s, "no replay started");
        assertEquals(recording, s.recording());
        Ui.screenshotView(view, view.control().getParent(), "recordings-view");
    }
}
