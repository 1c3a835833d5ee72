package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.ui.LorePlugin;
import io.lore.ui.launch.LaunchAttributes;
import io.lore.ui.launch.RecordTab;
import io.lore.ui.launch.ReplayTab;
import io.lore.ui.prefs.LorePreferences;
import io.lore.ui.views.RecordingsView;
import io.lore.ui.views.TimelineView;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.Test;

/** In the real workbench: LoRe's contributions are there, open, and say clearly what is wrong. */
class ViewsUiTest {

    @Test
    void launchTypesAreRegisteredWithTheirModes() {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType record = m.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE);
        ILaunchConfigurationType replay = m.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE);
        assertNotNull(record, "LoRe Record is not registered");
        assertNotNull(replay, "LoRe Replay is not registered");
        assertEquals("LoRe Record", record.getName());
        assertEquals("LoRe Replay", replay.getName());
        assertTrue(record.supportsMode(ILaunchManager.RUN_MODE));
        assertFalse(record.supportsMode(ILaunchManager.DEBUG_MODE));
        assertTrue(replay.supportsMode(ILaunchManager.RUN_MODE));
        assertTrue(replay.supportsMode(ILaunchManager.DEBUG_MODE));
    }

    @Test
    void viewsOpenAndShowTheirEmptyState() throws Exception {
        RecordingsView recordings = Ui.show(RecordingsView.ID);
        TimelineView timeline = Ui.show(TimelineView.ID);
        assertNotNull(recordings);
        assertNotNull(timeline);
        assertNull(timeline.session(), "no replay runs yet");
        assertTrue(timeline.headerText().startsWith("No replay is running"), timeline.headerText());
    }

    @Test
    void theEnginesKickSignalCannotEndTheIde() {
        // installed when io.lore.ui starts; without it a kick can kill the IDE (KickSignalGuard)
        assertNotNull(LorePlugin.get());
        assertEquals("installed", io.lore.ui.KickSignalGuard.install());
        assertTrue(io.lore.ui.KickSignalGuard.currentHandler() != 0, "signal 40 still has its default action (terminate)");
    }

    @Test
    void preferencesHaveTheirDefaultsAndAPage() {
        assertNotNull(PlatformUI.getWorkbench().getPreferenceManager().find("io.lore.ui.prefs"), "no LoRe preference page");
        var store = LorePlugin.get().getPreferenceStore();
        assertEquals(LorePreferences.DEFAULT_PORT, store.getDefaultInt(LorePreferences.PORT));
        assertEquals(LorePreferences.DEFAULT_CHECKPOINT_MIB, store.getDefaultInt(LorePreferences.CHECKPOINT_MIB));
        assertEquals(LorePreferences.DEFAULT_GDB_PATH, store.getDefaultString(LorePreferences.GDB_PATH));
        store.setValue(LorePreferences.CHECKPOINT_MIB, 64);
        try {
            assertEquals(64L << 20, LorePreferences.checkpointBudgetBytes());
        } finally {
            store.setToDefault(LorePreferences.CHECKPOINT_MIB);
        }
    }

    @Test
    void recordTabNamesTheBadFieldInOneLine() throws Exception {
        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE).newInstance(null, "tab test");
        Shell shell = new Shell(Ui.display(), SWT.SHELL_TRIM);
        shell.setText("LoRe Record");
        shell.setLayout(new FillLayout());
        shell.setSize(760, 260);
        RecordTab tab = new RecordTab();
        try {
            tab.createControl(shell);
            tab.setDefaults(wc);
            wc.setAttribute(LaunchAttributes.KERNEL, "/nonexistent/vmlinux");
            tab.initializeFrom(wc);
            shell.open();
            assertFalse(tab.isValid(wc));
            assertEquals("kernel file not found: /nonexistent/vmlinux", tab.getErrorMessage());

            wc.setAttribute(LaunchAttributes.KERNEL, Ui.guest("hello.elf").toString());
            wc.setAttribute(LaunchAttributes.MEMORY_MIB, "lots");
            tab.initializeFrom(wc);
            assertFalse(tab.isValid(wc));
            assertEquals("memory must be a whole number of MiB, not 'lots'", tab.getErrorMessage());

            wc.setAttribute(LaunchAttributes.MEMORY_MIB, "64");
            wc.setAttribute(LaunchAttributes.OUTPUT, "relative.lore");
            tab.initializeFrom(wc);
            assertFalse(tab.isValid(wc));
            assertTrue(tab.getErrorMessage().startsWith("output file must be an absolute path"), tab.getErrorMessage());

            wc.setAttribute(LaunchAttributes.CMDLINE, "console=ttyS0");
            wc.setAttribute(LaunchAttributes.OUTPUT, "${workspace_loc}/hello.lore");
            tab.initializeFrom(wc);
            assertTrue(tab.isValid(wc), tab.getErrorMessage());
            assertNull(tab.getErrorMessage());
            Path shot = Ui.screenshot(tab.getControl(), "record-tab");
            assertTrue(Files.size(shot) > 0);
        } finally {
            tab.dispose();
            shell.dispose();
        }
    }

    @Test
    void replayTabRefusesABadPort() throws Exception {
        Path recording = Files.createTempFile("tab", ".lore");
        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE).newInstance(null, "replay tab test");
        Shell shell = new Shell(Ui.display());
        shell.setLayout(new FillLayout());
        ReplayTab tab = new ReplayTab();
        try {
            tab.createControl(shell);
            tab.setDefaults(wc);
            wc.setAttribute(LaunchAttributes.RECORDING, recording.toString());
            wc.setAttribute(LaunchAttributes.PORT, "70000");
            tab.initializeFrom(wc);
            assertFalse(tab.isValid(wc));
            assertEquals("port must be 0-65535 (0: any free port), not 70000", tab.getErrorMessage());
            wc.setAttribute(LaunchAttributes.PORT, "");
            tab.initializeFrom(wc);
            assertTrue(tab.isValid(wc), tab.getErrorMessage());
        } finally {
            tab.dispose();
            shell.dispose();
            Files.deleteIfExists(recording);
        }
    }
}
