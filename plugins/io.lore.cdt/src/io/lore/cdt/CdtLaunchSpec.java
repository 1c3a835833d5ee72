package io.lore.cdt;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a CDT debug session of a LoRe replay needs, and the launch configuration attributes of
 * CDT's "GDB Hardware Debugging" type that express it: connect to the replay server with
 * {@code -target-select remote HOST:PORT}, load symbols from the guest kernel, never load an
 * image, reset, halt, set the PC or resume (a replay is read-only and starts where it is), and
 * source the reverse workaround script right after connecting.
 *
 * @param name         the launch configuration's name
 * @param host         the replay server's address
 * @param port         the replay server's port
 * @param gdb          the gdb executable
 * @param symbols      the guest kernel with symbols (CDT requires a program file)
 * @param script       the reverse workaround script ({@link ReverseWorkaround#write})
 * @param project      a workspace project for source lookup, or null
 */
public record CdtLaunchSpec(String name, String host, int port, String gdb, Path symbols, Path script, String project) {

    public CdtLaunchSpec {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, not " + port);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("no host for the replay server");
        }
        if (symbols == null) {
            throw new IllegalArgumentException("CDT needs a symbol file (the guest kernel ELF) to debug the replay");
        }
    }

    /** The connection URI as CDT's debugger tab stores it: {@code new URI("gdb", "HOST:PORT", "")}. */
    public String connectionUri() {
        try {
            return new URI("gdb", host + ":" + port, "").toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad host '" + host + "': " + e.getMessage());
        }
    }

    /** The attributes of the CDT launch configuration, keyed by CDT's attribute names. */
    public Map<String, Object> attributes() {
        Map<String, Object> a = new LinkedHashMap<>();
        String program = symbols.toAbsolutePath().toString();
        a.put(CdtIds.ATTR_PROGRAM_NAME, program);
        if (project != null && !project.isEmpty()) {
            a.put(CdtIds.ATTR_PROJECT_NAME, project);
        }
        a.put(CdtIds.ATTR_DEBUG_NAME, gdb);
        a.put(CdtIds.ATTR_DEBUGGER_START_MODE, CdtIds.DEBUGGER_MODE_REMOTE);
        a.put(CdtIds.ATTR_DEBUGGER_NON_STOP, false);
        // CDT's jtag launch does not enable reverse at start (its sequence drops the step that
        // reads these); set them anyway so CDT's tabs show software reverse as the method.
        a.put(CdtIds.ATTR_DEBUGGER_REVERSE, true);
        a.put(CdtIds.ATTR_DEBUGGER_REVERSE_MODE, CdtIds.REVERSE_MODE_SOFT);
        a.put(CdtIds.ATTR_GDB_INIT, "");
        a.put(CdtIds.ATTR_USE_REMOTE_TARGET, true);
        a.put(CdtIds.ATTR_JTAG_DEVICE_ID, CdtIds.GENERIC_TCP_DEVICE);
        a.put(CdtIds.ATTR_CONNECTION, connectionUri());
        a.put(CdtIds.ATTR_IP_ADDRESS, host);
        a.put(CdtIds.ATTR_PORT_NUMBER, port);
        a.put(CdtIds.ATTR_DO_RESET, false);
        a.put(CdtIds.ATTR_DO_HALT, false);
        a.put(CdtIds.ATTR_DELAY, 0);
        a.put(CdtIds.ATTR_LOAD_IMAGE, false);
        a.put(CdtIds.ATTR_USE_PROJ_BINARY_FOR_IMAGE, false);
        a.put(CdtIds.ATTR_LOAD_SYMBOLS, true);
        a.put(CdtIds.ATTR_USE_PROJ_BINARY_FOR_SYMBOLS, false);
        a.put(CdtIds.ATTR_USE_FILE_FOR_SYMBOLS, true);
        a.put(CdtIds.ATTR_SYMBOLS_FILE_NAME, program);
        a.put(CdtIds.ATTR_INIT_COMMANDS, ReverseWorkaround.sourceCommand(script));
        a.put(CdtIds.ATTR_SET_PC_REGISTER, false);
        a.put(CdtIds.ATTR_SET_STOP_AT, false);
        a.put(CdtIds.ATTR_SET_RESUME, false);
        a.put(CdtIds.ATTR_RUN_COMMANDS, "");
        return a;
    }
}
