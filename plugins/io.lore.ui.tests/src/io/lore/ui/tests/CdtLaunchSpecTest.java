package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.cdt.CdtBridge;
import io.lore.cdt.CdtLaunchSpec;
import io.lore.cdt.ReverseWorkaround;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.debug.core.DebugPlugin;
import org.junit.jupiter.api.Test;

/**
 * The CDT launch configuration the bridge builds, checked key by key against CDT's own strings.
 * The expected keys below were typed from CDT's source, independently of the bridge's constants:
 * IGDBJtagConstants (prefix "org.eclipse.cdt.debug.gdbjtag.core", its Activator.PLUGIN_ID),
 * ICDTLaunchConfigurationConstants (prefix "org.eclipse.cdt.launch"),
 * IGDBLaunchConfigurationConstants (prefix "org.eclipse.cdt.dsf.gdb", GdbPlugin.PLUGIN_ID), and
 * the launch type and generic TCP/IP device ids from gdbjtag.core's plugin.xml.
 */
class CdtLaunchSpecTest {
    private static final Path KERNEL = Path.of("/work/kernel/vmlinux");
    private static final Path SCRIPT = Path.of("/tmp/state/lore-cdt-reverse.gdb");

    private static CdtLaunchSpec spec() {
        return new CdtLaunchSpec("demo [CDT]", "127.0.0.1", 4711, "/usr/bin/gdb", KERNEL, SCRIPT, null);
    }

    @Test
    void attributesAreThoseCdtsGdbHardwareDebuggingReads() {
        Map<String, Object> expected = new TreeMap<>();
        expected.put("org.eclipse.cdt.launch.PROGRAM_NAME", "/work/kernel/vmlinux");
        expected.put("org.eclipse.cdt.launch.DEBUGGER_START_MODE", "remote");
        expected.put("org.eclipse.cdt.dsf.gdb.DEBUG_NAME", "/usr/bin/gdb");
        expected.put("org.eclipse.cdt.dsf.gdb.NON_STOP", false);
        expected.put("org.eclipse.cdt.dsf.gdb.REVERSE", true);
        expected.put("org.eclipse.cdt.dsf.gdb.REVERSE_MODE", "UseSoftTrace");
        expected.put("org.eclipse.cdt.dsf.gdb.GDB_INIT", "");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.useRemoteTarget", true);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.jtagDeviceId", "org.eclipse.cdt.debug.gdbjtag.core.jtagdevice.genericDevice");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.connection", "gdb:127.0.0.1:4711#");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.ipAddress", "127.0.0.1");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.portNumber", 4711);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.doReset", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.doHalt", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.delay", 0);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.loadImage", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.useProjBinaryForImage", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.loadSymbols", true);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.useProjBinaryForSymbols", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.useFileForSymbols", true);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.symbolsFileName", "/work/kernel/vmlinux");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.initCommands", "source /tmp/state/lore-cdt-reverse.gdb");
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.setPcRegister", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.setStopAt", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.setResume", false);
        expected.put("org.eclipse.cdt.debug.gdbjtag.core.runCommands", "");
        assertEquals(expected, new TreeMap<>(spec().attributes()));
    }

    @Test
    void theConnectionIsWhatCdtsDebuggerTabWritesAndReadsBack() throws Exception {
        // the tab stores new URI("gdb", conn, "") and the launch sequence reads getSchemeSpecificPart()
        String stored = spec().connectionUri();
        assertEquals(new URI("gdb", "127.0.0.1:4711", "").toString(), stored);
        assertEquals("127.0.0.1:4711", new URI(stored).getSchemeSpecificPart());
    }

    @Test
    void aProjectIsPassedOnlyWhenGiven() {
        assertFalse(spec().attributes().containsKey("org.eclipse.cdt.launch.PROJECT_ATTR"));
        CdtLaunchSpec withProject = new CdtLaunchSpec("x", "127.0.0.1", 1, "gdb", KERNEL, SCRIPT, "kernel");
        assertEquals("kernel", withProject.attributes().get("org.eclipse.cdt.launch.PROJECT_ATTR"));
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> new CdtLaunchSpec("x", "127.0.0.1", 0, "gdb", KERNEL, SCRIPT, null));
        assertEquals("port must be 1-65535, not 0", port.getMessage());
        IllegalArgumentException symbols = assertThrows(IllegalArgumentException.class,
                () -> new CdtLaunchSpec("x", "127.0.0.1", 1234, "gdb", null, SCRIPT, null));
        assertFalse(symbols.getMessage().contains("\n"));
        assertTrue(symbols.getMessage().contains("symbol file"));
    }

    @Test
    void withoutCdtTheBridgeSaysWhatIsMissing() {
        // CDT is not on Maven Central, so it is never in this test runtime
        CdtBridge bridge = new CdtBridge(DebugPlugin.getDefault().getLaunchManager());
        assertFalse(bridge.isAvailable());
        String missing = bridge.missing();
        assertNotNull(missing);
        assertTrue(missing.contains("org.eclipse.cdt.debug.gdbjtag.launchConfigurationType"), missing);
        assertTrue(missing.contains("GDB Hardware Debugging"), missing);
        assertFalse(missing.contains("\n"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bridge.configure(spec()));
        assertEquals(missing, e.getMessage());
    }

    @Test
    void theScriptRedefinesExactlyTheCommandsCdtSends() {
        String s = ReverseWorkaround.script();
        // CDT's CLIRecord: "record" + " full" (ReverseDebugMethod.SOFTWARE), "record" + " stop" (OFF)
        assertTrue(s.contains("\ndefine record full\n"), s);
        assertTrue(s.contains("\ndefine record stop\n"), s);
        assertFalse(s.contains("define record btrace"), "redefining the btrace prefix crashes GDB 13");
    }
}
