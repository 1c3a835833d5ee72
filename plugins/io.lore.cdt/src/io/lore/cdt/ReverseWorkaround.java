package io.lore.cdt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes CDT's reverse debugging buttons work against a target that reverses natively.
 *
 * <p>CDT turns reverse debugging on only by sending GDB's {@code record full} (and off with
 * {@code record stop}); it enables Reverse Step/Resume only when that command succeeds (Eclipse
 * bug 324069). Against LoRe's replay server, GDB's {@code record full} is wrong either way:
 * for a bare-metal x86-64 target GDB refuses it ("the current architecture doesn't support
 * record function", measured with GDB 13), so CDT reports "Trace method could not be selected"
 * and keeps its reverse buttons disabled; where GDB can record, it would push its own software
 * recorder on top of the remote target and answer reverse commands from its own, empty, history
 * instead of sending {@code bs}/{@code bc} to the server. So the bridge redefines exactly the two sub-commands CDT sends as no-ops (GDB
 * allows redefining built-in sub-commands with {@code define}); CDT sees them succeed and turns
 * its reverse actions on, and GDB, whose remote target announced ReverseStep+/ReverseContinue+,
 * sends CDT's {@code -exec-step --reverse}, {@code -exec-continue --reverse} etc. straight to
 * the server. {@code record btrace} is left alone: redefining that prefix crashes GDB 13, and
 * CDT uses it only when the user picks the hardware method.
 */
public final class ReverseWorkaround {
    private ReverseWorkaround() {}

    /** The file name the script is written to. */
    public static final String FILE_NAME = "lore-cdt-reverse.gdb";

    /** The GDB commands CDT sends to turn reverse debugging on and off (CLIRecord). */
    public static final String CDT_RECORD_ON = "record full";
    public static final String CDT_RECORD_OFF = "record stop";

    /** The script: plain GDB commands, usable with {@code source} from any GDB front end. */
    public static String script() {
        return String.join("\n",
                "# LoRe: the replay server executes in reverse itself (bs/bc packets).",
                "# CDT enables its reverse buttons only after '" + CDT_RECORD_ON + "' succeeds (Eclipse bug 324069),",
                "# but GDB's own recorder must stay off, so both commands CDT sends become no-ops.",
                "set confirm off",
                "define " + CDT_RECORD_ON,
                "  echo [LoRe] reverse execution is native to the replay server; GDB's recorder stays off.\\n",
                "end",
                "document " + CDT_RECORD_ON,
                "LoRe: does nothing. The replay server executes in reverse natively (see lore-cdt-reverse.gdb).",
                "end",
                "define " + CDT_RECORD_OFF,
                "end",
                "document " + CDT_RECORD_OFF,
                "LoRe: does nothing. Reverse execution stays available while connected to the replay server.",
                "end",
                "set confirm on",
                "");
    }

    /** Writes the script into {@code dir} (created if needed) and returns its path. */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Files.writeString(file, script(), StandardCharsets.UTF_8);
        return file;
    }

    /** The GDB command that loads the script (GDB takes the rest of the line as the file name). */
    public static String sourceCommand(Path script) {
        return "source " + script.toAbsolutePath();
    }
}
