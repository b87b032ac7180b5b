package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;

/** {@code session export}: the session in ChannelCoder's saved-session JSON ({@link ChannelCoderExport}). */
@Command(name = "export", description = {"Write a session as ChannelCoder's session JSON (its SessionState), "
        + "loadable with session.load(file).", "The history is read through the operator's HTTP API."})
final class SessionExportCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to this file instead of stdout.")
    Path file;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            ClaudeSession s = kube.requireSession(name);
            ObjectNode history = History.read(kube, name, 0, null, false);
            if (history.path("trimmed").asBoolean()) {
                // the operator keeps the newest cso.history.max-entries entries: the export is what is left
                err().println("warning: the " + history.path("firstIndex").asLong() + " oldest entries of session " + name
                        + " were trimmed by the operator; the export holds the " + history.get("items").size() + " kept");
                err().flush();
            }
            String json = ChannelCoderExport.stringify(ChannelCoderExport.sessionState(s, history.get("items")));
            if (file == null) {
                out().println(json);
                out().flush();
                return ExitCodes.OK;
            }
            try {
                Files.writeString(file, json, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "cannot write " + file + ": " + e.getMessage(), e);
            }
            out().println("session " + name + " (" + history.get("items").size() + " messages) exported to " + file);
            out().flush();
            return ExitCodes.OK;
        }
    }
}
