package dev.sessionops.claude.kubectl;

import java.lang.management.ManagementFactory;

import picocli.CommandLine.Command;

/** {@code version}: the CLI's version and how long the JVM took to get here (start-up cost is a design goal). */
@Command(name = "version", description = "Print the version of kubectl-claude.")
final class VersionCommand extends ClaudeSubcommand {
    @Override
    public Integer call() {
        out().println(new Version().getVersion()[0]);
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        out().println("startup: " + uptime + " ms");
        out().flush();
        return ExitCodes.OK;
    }
}
