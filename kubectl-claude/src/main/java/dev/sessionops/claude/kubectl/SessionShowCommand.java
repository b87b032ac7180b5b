package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.Usage;

/** {@code session show}: one session, its Claude session chain, totals and messages. */
@Command(name = "show", aliases = "get", description = "Show one session and its messages.")
final class SessionShowCommand extends ClaudeSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml.")
    OutputFormat output;

    @Override
    public Integer call() {
        try (Kube kube = connect()) {
            ClaudeSession s = kube.requireSession(name);
            List<ClaudeMessage> messages = kube.messages().list().getItems().stream()
                    .filter(m -> m.getSpec() != null && m.getSpec().getSessionRef() != null
                            && name.equals(m.getSpec().getSessionRef().getName()))
                    .sorted(Messages.ORDER).toList();
            if (output != null) {
                output.print(out(), Views.session(s, messages));
                return ExitCodes.OK;
            }
            print(s, messages, kube.namespace(), root().env().clock().instant(), out());
            return ExitCodes.OK;
        }
    }

    static void print(ClaudeSession s, List<ClaudeMessage> messages, String namespace, Instant now, PrintWriter out) {
        ObjectNode v = Views.session(s, messages);
        out.println("Name:          " + s.getMetadata().getName());
        out.println("Namespace:     " + namespace);
        out.println("Phase:         " + text(v, "phase"));
        out.println("Session ID:    " + text(v, "currentSessionId"));
        out.println("Session chain: " + (chain(v).isEmpty() ? Table.NONE : String.join(" -> ", chain(v))));
        out.println("Messages:      " + v.path("messageCount").asLong());
        out.println("Created:       " + text(v, "created"));
        out.println("Last active:   " + text(v, "lastActive")
                + (v.path("lastActive").isTextual() ? " (" + Ages.since(v.get("lastActive").asText(), now) + " ago)" : ""));
        out.println("Total cost:    " + String.format(Locale.ROOT, "$%.4f", v.path("totalCostUsd").asDouble()));
        Usage u = s.getStatus() == null ? null : s.getStatus().getUsage();
        if (u != null) {
            out.println("Tokens:        input " + u.getInputTokens() + ", output " + u.getOutputTokens()
                    + ", cache read " + u.getCacheReadInputTokens() + ", cache creation " + u.getCacheCreationInputTokens());
        }
        if (!messages.isEmpty()) {
            out.println();
            Table t = new Table("MESSAGE", "PHASE", "COST", "AGE");
            for (ClaudeMessage m : messages) {
                var st = m.getStatus();
                t.row(m.getMetadata().getName(), Messages.phase(m),
                        st == null || st.getCostUsd() == null ? null : String.format(Locale.ROOT, "$%.4f", st.getCostUsd()),
                        Ages.since(m.getMetadata().getCreationTimestamp(), now));
            }
            out.print(t.render());
        }
        out.flush();
    }

    private static List<String> chain(ObjectNode v) {
        return StreamSupport.stream(v.get("sessionChain").spliterator(), false).map(n -> n.asText()).toList();
    }

    private static String text(ObjectNode v, String field) {
        return v.path(field).isTextual() && !v.get(field).asText().isEmpty() ? v.get(field).asText() : Table.NONE;
    }
}
