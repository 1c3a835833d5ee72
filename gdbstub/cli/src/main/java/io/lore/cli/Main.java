package io.lore.cli;

import io.lore.kvm.KvmException;
import io.lore.log.RecordingFormatException;
import io.lore.machine.boot.BootException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.ParseException;

/**
 * The `lore` command: dispatches to a subcommand and turns every failure into one line on
 * stderr and a non-zero status. Stack traces only with LORE_DEBUG=1.
 */
public final class Main {
    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERNAL = 70;

    private final Map<String, Command> commands = new LinkedHashMap<>();

    Main() {
        for (Command c : new Command[] {new DemoCommand(), new RunCommand(), new RecordCommand(), new ReplayCommand(), new InfoCommand(), new EventsCommand()}) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] args) {
        int status = new Main().execute(args);
        System.out.flush();
        System.exit(status);
    }

    int execute(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            printOverview();
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        if (args[0].equals("help")) {
            if (args.length == 1) {
                printOverview();
                return 0;
            }
            Command c = commands.get(args[1]);
            if (c == null) {
                return error("no command '" + args[1] + "'; run 'lore --help' for the list", EXIT_USAGE);
            }
            printHelp(c);
            return 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            return error("no command '" + args[0] + "'; run 'lore --help' for the list", EXIT_USAGE);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            printHelp(command);
            return 0;
        }
        try {
            CommandLine line = new DefaultParser().parse(command.options(), rest);
            return command.run(line);
        } catch (ParseException | UsageException e) {
            return error(e.getMessage() + " (see 'lore help " + command.name() + "')", EXIT_USAGE);
        } catch (NoSuchFileException e) {
            return error(e.getFile() + ": " + (e.getReason() != null ? e.getReason() : "no such file"), EXIT_USAGE);
        } catch (BootException | KvmException | IllegalArgumentException | RecordingFormatException e) {
            // RecordingFormatException: not a recording, or one unreadable before its first event
            return error(e.getMessage(), EXIT_USAGE);
        } catch (IOException e) {
            return error(e.getMessage(), EXIT_USAGE);
        } catch (Exception | Error e) {
            if (debug()) {
                e.printStackTrace();
            }
            return error("internal error: " + e + (debug() ? "" : " (set LORE_DEBUG=1 for details)"), EXIT_INTERNAL);
        }
    }

    static boolean debug() {
        return "1".equals(System.getenv("LORE_DEBUG"));
    }

    static int error(String message, int status) {
        System.err.println("lore: error: " + message);
        return status;
    }

    private void printOverview() {
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("LoRe: record, replay and reverse-debug whole KVM guests.");
        out.println();
        out.println("usage: lore COMMAND [options]      (lore help COMMAND for details)");
        out.println();
        out.println("commands:");
        for (Command c : commands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("launcher commands (./lore only):");
        out.printf("  %-10s %s%n", "demo", "build, boot the demo guest, and show what LoRe does");
        out.printf("  %-10s %s%n", "test", "install what is needed and run every test of the project");
        out.printf("  %-10s %s%n", "bench", "run the benchmarks and print their figures");
    }

    private void printHelp(Command c) {
        HelpFormatter f = new HelpFormatter();
        f.setWidth(100);
        PrintWriter out = new PrintWriter(System.out, true);
        f.printHelp(out, 100, "lore " + c.name() + " " + c.usage(), "\n" + c.description() + "\n\noptions:",
                c.options(), 2, 2, "");
    }
}
