package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.log.RecordingReader;
import io.lore.log.RecordingSummary;
import io.lore.replay.Replayer;
import io.lore.ui.launch.RecordProcess;
import io.lore.ui.model.RecordingInfo;
import io.lore.ui.views.RecordingsView;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.TextConsole;
import org.junit.jupiter.api.Test;

/**
 * LoRe Record launches on the real /dev/kvm, inside the workbench: the serial console is the
 * Console view (both ways), Terminate ends a recording cleanly, the Recordings view lists what
 * was recorded with the summary the engine reads, and Verify replays it.
 */
class RecordUiTest {

    private static String consoleText(RecordProcess p) {
        IConsole c = org.eclipse.debug.ui.DebugUITools.getConsole(p);
        return c instanceof TextConsole t ? t.getDocument().get() : null;
    }

    @Test
    void recordsAGuestIntoTheWorkspaceAndListsIt() throws Exception {
        IProject project = Ui.project("lore-record-test");
        RecordProcess p = Recordings.record("record hello", Ui.guest("hello.elf"), "${workspace_loc:/lore-record-test}/hello.lore");
        assertNull(p.failure(), () -> "recording failed: " + p.failure());
        Path file = project.getLocation().toFile().toPath().resolve("hello.lore");
        assertEquals(file, p.settings().output(), "${workspace_loc:...} was not substituted");
        assertTrue(Files.isRegularFile(file), file + " was not written");

        // the file is whole and holds what the launch reported
        String serial;
        try (RecordingReader r = RecordingReader.open(file)) {
            assertEquals(RecordingReader.State.COMPLETE, r.state(), r.problem());
            RecordingSummary s = r.summary().orElseThrow();
            assertEquals(s.endStatus(), p.getExitValue(), "the process exit value is the guest's status");
            assertEquals(r.eventCount(), p.result().events());
            ByteArrayOutputStream replayed = new ByteArrayOutputStream();
            try (Replayer replayer = new Replayer(r, replayed)) {
                assertTrue(replayer.run().verified());
            }
            serial = replayed.toString(StandardCharsets.ISO_8859_1);
            assertEquals(s.serialBytes(), serial.length());
        }
        // the guest's serial output is the process output, and the Console view shows it
        assertFalse(serial.isEmpty());
        assertEquals(serial, p.streams().out().text(), "console output differs from the replayed serial output");
        String firstLine = serial.strip().lines().findFirst().orElseThrow();
        try {
            Ui.waitUntil("the Console view to show the guest output", 20,
                    () -> consoleText(p) != null && consoleText(p).contains(firstLine));
        } catch (AssertionError e) {
            StringBuilder consoles = new StringBuilder();
            for (IConsole c : ConsolePlugin.getDefault().getConsoleManager().getConsoles()) {
                consoles.append("\n[").append(c.getName()).append("] ");
                if (c instanceof TextConsole t) {
                    consoles.append(t.getDocument().get(), 0, Math.min(3000, t.getDocument().getLength()));
                }
            }
            throw new AssertionError(e.getMessage() + "; label '" + p.getLabel() + "', consoles:" + consoles, e);
        }

        // the workspace sees the file, and the Recordings view lists it with its summary
        IFile ws = project.getFile("hello.lore");
        assertTrue(ws.exists(), "the workspace was not refreshed");
        RecordingsView view = Ui.show(RecordingsView.ID);
        view.refresh();
        Ui.waitUntil("the Recordings view to list hello.lore", 30,
                () -> view.rows().stream().anyMatch(i -> i.path().equals(file)));
        RecordingInfo row = view.rows().stream().filter(i -> i.path().equals(file)).findFirst().orElseThrow();
        try (RecordingReader r = RecordingReader.open(file)) {
            assertEquals(r.header().kernelName(), row.kernel());
            assertEquals("hello.elf", row.kernel());
            assertEquals(r.eventCount(), row.events());
            assertEquals(r.fileSize(), row.sizeBytes());
            assertEquals(r.summary().orElseThrow().durationNanos() / 1e9, row.durationSeconds(), 1e-9);
            assertEquals("complete", row.integrity());
        }

        // a recording cut short (recorder killed) is listed, and said to be so; one cut inside
        // its boot images cannot be read at all, and the view says why in one line
        byte[] whole = Files.readAllBytes(file);
        Path cut = file.resolveSibling("hello-cut.lore");
        Path broken = file.resolveSibling("hello-broken.lore");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 64));
        Files.write(broken, Arrays.copyOf(whole, whole.length * 6 / 10));
        project.refreshLocal(org.eclipse.core.resources.IResource.DEPTH_INFINITE, null);
        Ui.waitUntil("the Recordings view to list the cut recordings", 30,
                () -> view.rows().stream().filter(i -> i.path().equals(cut) || i.path().equals(broken)).count() == 2);
        RecordingInfo cutRow = view.rows().stream().filter(i -> i.path().equals(cut)).findFirst().orElseThrow();
        try (RecordingReader r = RecordingReader.open(cut)) {
            assertEquals(RecordingReader.State.TRUNCATED, r.state());
            assertEquals("truncated: " + r.problem(), cutRow.integrity());
            assertEquals(r.eventCount(), cutRow.events());
        }
        RecordingInfo brokenRow = view.rows().stream().filter(i -> i.path().equals(broken)).findFirst().orElseThrow();
        String why = assertThrows(Exception.class, () -> RecordingReader.open(broken)).getMessage();
        assertEquals("unreadable: " + why, brokenRow.integrity());
        assertFalse(brokenRow.integrity().contains("\n"));

        // Verify replays it without devices
        view.verify(file).join();
        Ui.waitUntil("the verification result", 60, () -> !view.verification(file).startsWith("verifying"));
        assertTrue(view.verification(file).startsWith("\u2714 reproduced exactly"), view.verification(file));
        Ui.screenshotView(view, view.control().getParent(), "recordings-view");
    }

    @Test
    void consoleInputReachesTheGuestAndTerminateEndsTheRecordingCleanly() throws Exception {
        IProject project = Ui.project("lore-record-test");
        Path file = project.getLocation().toFile().toPath().resolve("uart-echo.lore");
        RecordProcess p = Recordings.start(Recordings.config("record uart", Ui.guest("uart.elf"), "idle_ms=300000",
                file.toString()));
        Ui.waitUntil("the uart guest to wait for input", 60, () -> p.streams().out().text().contains("echoing lines"));
        // what the user types in the Console view goes through the streams proxy to COM1
        p.getStreamsProxy().write("hello from the IDE\n");
        Ui.waitUntil("the guest to echo the line", 30, () -> p.streams().out().text().contains("echo: hello from the IDE"));
        assertFalse(p.isTerminated(), "the guest waits for more input");
        p.terminate();
        Ui.waitUntil("the recording to stop", 60, p::isTerminated);
        assertNull(p.failure());
        try (RecordingReader r = RecordingReader.open(file)) {
            assertEquals(RecordingReader.State.COMPLETE, r.state(), "Terminate must leave a whole file: " + r.problem());
            assertEquals("STOPPED", r.summary().orElseThrow().endReason().name());
            ByteArrayOutputStream replayed = new ByteArrayOutputStream();
            try (Replayer replayer = new Replayer(r, replayed)) {
                assertTrue(replayer.run().verified(), "the stopped recording must replay exactly");
            }
            assertTrue(replayed.toString(StandardCharsets.ISO_8859_1).contains("echo: hello from the IDE"),
                    "the typed input is part of the recording");
        }
        RecordingsView view = Ui.show(RecordingsView.ID);
        Ui.waitUntil("the Recordings view to list the stopped recording", 30,
                () -> view.rows().stream().anyMatch(i -> i.path().equals(file) && "stopped".equals(i.end())));

        // Delete (what the view's action does after its confirmation dialog)
        assertNull(io.lore.ui.model.RecordingsModel.get().delete(file));
        assertFalse(Files.exists(file));
        assertFalse(project.getFile(file.getFileName().toString()).exists(), "deleted through the workspace");
        Ui.waitUntil("the Recordings view to drop the deleted recording", 30,
                () -> view.rows().stream().noneMatch(i -> i.path().equals(file)));
    }

    @Test
    void badConfigurationsFailWithOneLine() throws Exception {
        CoreException missing = assertThrows(CoreException.class, () -> Recordings.config("bad", Path.of("/nonexistent/kernel"), "",
                "/tmp/x.lore").launch(ILaunchManager.RUN_MODE, null));
        assertEquals("kernel file not found: /nonexistent/kernel", missing.getStatus().getMessage());
        CoreException noOutput = assertThrows(CoreException.class, () -> Recordings.config("bad", Ui.guest("hello.elf"), "", "")
                .launch(ILaunchManager.RUN_MODE, null));
        assertTrue(noOutput.getStatus().getMessage().startsWith("no output file"), noOutput.getStatus().getMessage());
        // a file that is not a kernel: the engine's own one-line message, and the process ends with it
        Path notKernel = Files.writeString(Files.createTempFile("not-a-kernel", ".elf"), "hello");
        RecordProcess p = Recordings.record("not a kernel", notKernel, Files.createTempDirectory("rec").resolve("x.lore").toString());
        assertNotNull(p.failure());
        String note = p.streams().err().text();
        assertTrue(note.contains("lore: recording failed: "), note);
        assertEquals(1, Arrays.stream(note.split("\n")).filter(l -> l.startsWith("lore: recording failed")).count());
        assertTrue(p.getExitValue() != 0);
    }
}
