package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;

/**
 * {@code run --follow} and {@code logs -f}: print the events until the message ends, then its outcome; meanwhile
 * its progress on stderr (queued, waiting, pod starting, running, retrying the model API).
 */
final class Follow {
    private Follow() {
    }

    static int untilDone(Kube kube, String message, PrintWriter out, PrintWriter err, boolean raw, Progress progress) {
        EventPrinter printer = new EventPrinter(out, raw, progress);
        ClaudeMessage done;
        try (StatusPoller poller = StatusPoller.start(kube, message, progress, printer::sawEvent)) {
            new MessageFollower(kube, printer, err).follow(message, true);
            done = Messages.awaitTerminal(kube, message, null).orElseThrow();
        } finally {
            progress.end();
        }
        if (!raw) {
            showResultIfUnseen(done, printer, out);
        }
        return Outcome.report(done, err);
    }

    /** No event carried the result (events expired, the pod is gone): the status has it. */
    static void showResultIfUnseen(ClaudeMessage m, EventPrinter printer, PrintWriter out) {
        if (!printer.sawResult() && m.getStatus() != null && m.getStatus().getResult() != null
                && !m.getStatus().getResult().isBlank()
                && Messages.phase(m) == MessagePhase.Succeeded) {
            out.println(m.getStatus().getResult().strip());
            out.flush();
        }
    }
}
