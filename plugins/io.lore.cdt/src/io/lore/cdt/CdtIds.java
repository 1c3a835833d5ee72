package io.lore.cdt;

/**
 * The identifiers of Eclipse CDT that the bridge depends on. CDT is not on Maven Central, so
 * LoRe cannot compile against it; these are the string values of CDT's public constants, read
 * from CDT's source (the file each one comes from is named). They have been stable across CDT
 * releases because saved launch configurations depend on them.
 */
public final class CdtIds {
    private CdtIds() {}

    // --- jtag/org.eclipse.cdt.debug.gdbjtag.core/plugin.xml -------------------------------------

    /** The "GDB Hardware Debugging" launch configuration type (debug mode only). */
    public static final String JTAG_LAUNCH_TYPE = "org.eclipse.cdt.debug.gdbjtag.launchConfigurationType";
    /** The bundle that contributes it. */
    public static final String JTAG_CORE_BUNDLE = "org.eclipse.cdt.debug.gdbjtag.core";
    /** The "Generic TCP/IP" JTAG device: connects with {@code -target-select remote HOST:PORT}. */
    public static final String GENERIC_TCP_DEVICE = "org.eclipse.cdt.debug.gdbjtag.core.jtagdevice.genericDevice";

    // --- jtag/.../gdbjtag/core/IGDBJtagConstants.java (prefix: Activator.PLUGIN_ID) ---------------

    private static final String JTAG = JTAG_CORE_BUNDLE + ".";
    public static final String ATTR_USE_REMOTE_TARGET = JTAG + "useRemoteTarget";
    public static final String ATTR_IP_ADDRESS = JTAG + "ipAddress";
    public static final String ATTR_PORT_NUMBER = JTAG + "portNumber";
    public static final String ATTR_JTAG_DEVICE_ID = JTAG + "jtagDeviceId";
    /** A URI whose scheme-specific part is HOST:PORT (the debugger tab writes {@code new URI("gdb", conn, "")}). */
    public static final String ATTR_CONNECTION = JTAG + "connection";
    public static final String ATTR_INIT_COMMANDS = JTAG + "initCommands";
    public static final String ATTR_DELAY = JTAG + "delay";
    public static final String ATTR_DO_RESET = JTAG + "doReset";
    public static final String ATTR_DO_HALT = JTAG + "doHalt";
    public static final String ATTR_LOAD_IMAGE = JTAG + "loadImage";
    public static final String ATTR_LOAD_SYMBOLS = JTAG + "loadSymbols";
    public static final String ATTR_SYMBOLS_FILE_NAME = JTAG + "symbolsFileName";
    public static final String ATTR_USE_PROJ_BINARY_FOR_SYMBOLS = JTAG + "useProjBinaryForSymbols";
    public static final String ATTR_USE_FILE_FOR_SYMBOLS = JTAG + "useFileForSymbols";
    public static final String ATTR_USE_PROJ_BINARY_FOR_IMAGE = JTAG + "useProjBinaryForImage";
    public static final String ATTR_SET_PC_REGISTER = JTAG + "setPcRegister";
    public static final String ATTR_SET_STOP_AT = JTAG + "setStopAt";
    public static final String ATTR_SET_RESUME = JTAG + "setResume";
    public static final String ATTR_RUN_COMMANDS = JTAG + "runCommands";

    // --- debug/org.eclipse.cdt.debug.core/.../ICDTLaunchConfigurationConstants.java ---------------

    private static final String CDT_LAUNCH = "org.eclipse.cdt.launch.";
    public static final String ATTR_PROGRAM_NAME = CDT_LAUNCH + "PROGRAM_NAME";
    public static final String ATTR_PROJECT_NAME = CDT_LAUNCH + "PROJECT_ATTR";
    public static final String ATTR_DEBUGGER_START_MODE = CDT_LAUNCH + "DEBUGGER_START_MODE";

    // --- dsf-gdb/org.eclipse.cdt.dsf.gdb/.../IGDBLaunchConfigurationConstants.java (GdbPlugin.PLUGIN_ID) ---

    private static final String DSF_GDB = "org.eclipse.cdt.dsf.gdb.";
    /** The gdb executable. */
    public static final String ATTR_DEBUG_NAME = DSF_GDB + "DEBUG_NAME";
    public static final String ATTR_GDB_INIT = DSF_GDB + "GDB_INIT";
    public static final String ATTR_DEBUGGER_NON_STOP = DSF_GDB + "NON_STOP";
    public static final String ATTR_DEBUGGER_REVERSE = DSF_GDB + "REVERSE";
    public static final String ATTR_DEBUGGER_REVERSE_MODE = DSF_GDB + "REVERSE_MODE";
    /** Value of {@link #ATTR_DEBUGGER_START_MODE} that makes LaunchUtils.getSessionType() REMOTE. */
    public static final String DEBUGGER_MODE_REMOTE = "remote";
    /** Value of {@link #ATTR_DEBUGGER_REVERSE_MODE}: software reverse, i.e. {@code record full}. */
    public static final String REVERSE_MODE_SOFT = "UseSoftTrace";

    // --- debug/org.eclipse.cdt.debug.ui: ReverseToggleCommandHandler ------------------------------

    /** The Debug view's "Reverse Debugging" toggle; its radio parameter selects the method. */
    public static final String REVERSE_TOGGLE_COMMAND = "org.eclipse.cdt.debug.ui.command.reverseToggle";
    /** The radio state that selects GDB's {@code record full} (CLIRecord with ReverseDebugMethod.SOFTWARE). */
    public static final String REVERSE_TOGGLE_SOFTWARE = "UseSoftTrace";
}
