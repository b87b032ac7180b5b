package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code session history}: the conversation, oldest first, as the operator recorded it. */
@Command(name = "history", description = {"Print a session's conversation (user prompts and assistant replies), oldest first.",
        "Read through the operator's HTTP API."})
final class SessionHistoryCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Option(names = "--limit", paramLabel = "N", description = "Only the last N entries (or N from --offset).")
    Long limit;
    @Option(names = "--offset", paramLabel = "N", description = "Start at entry N (0 is the first).")
    Long offset;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml.")
    OutputFormat output;

    @Override
    public Integer call() {
        if ((limit != null && limit < 0) || (offset != null && offset < 0)) {
            throw CliException.usage("--limit and --offset must not be negative");
        }
        try (Kube kube = connect()) {
            kube.requireSession(name);
            JsonNode page = History.read(kube, name, offset == null ? 0 : offset, limit, offset == null);
            if (output != null) {
                output.print(out(), page);
            } else {
                print(page, out());
            }
            return ExitCodes.OK;
        }
    }

    static void print(JsonNode page, PrintWriter out) {
        long trimmed = page.path("firstIndex").asLong();
        if (trimmed > page.path("offset").asLong()) {
            // the operator keeps the newest cso.history.max-entries entries: say so rather than look complete
            out.println("(" + trimmed + " older entries were trimmed)");
            out.println();
        }
        boolean first = true;
        for (JsonNode e : page.path("items")) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println("[" + e.path("timestamp").asText("") + "] " + e.path("role").asText("?").toUpperCase()
                    + (e.path("sessionId").isTextual() ? " (" + e.get("sessionId").asText() + ")" : ""));
            out.println(e.path("content").asText("").strip());
        }
        out.flush();
    }
}
