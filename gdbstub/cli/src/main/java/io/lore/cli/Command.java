package io.lore.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One `lore` subcommand: its options, its help text, and what it does. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Usage line after "lore NAME", e.g. "--kernel K [options]". */
    String usage();

    /** A paragraph or two for `lore help NAME`. */
    String description();

    Options options();

    /** Runs the command and returns the process exit status. */
    int run(CommandLine line) throws Exception;
}
