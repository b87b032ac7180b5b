package dev.sessionops.claude.message;

import java.util.List;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.cli.ApiRetry;
import dev.sessionops.claude.cli.RunOutcome;

/** How a finished Job ends its message: phase, condition reason and message, and the run's figures. */
public record Verdict(MessagePhase phase, String reason, String message) {

    /** Decides the outcome of a finished Job from the Job controller's verdict and the CLI's own output. */
    public static Verdict of(JobState job, RunOutcome run, long timeoutSeconds) {
        if (job.deadlineExceeded()) {
            return new Verdict(MessagePhase.Failed, Reasons.DEADLINE_EXCEEDED,
                    "the run was stopped after its timeout of " + timeoutSeconds + "s");
        }
        if (run != null && run.hasResult() && run.isError()) {
            String lost = lostConversation(run);
            if (lost != null) {
                return new Verdict(MessagePhase.Failed, Reasons.CONVERSATION_STATE_LOST, "Claude session " + lost
                        + " is not on the session's state volume any more (the volume was lost or replaced), so this"
                        + " conversation cannot be resumed. Set spec.resetConversation on the ClaudeSession (kubectl claude"
                        + " session reset NAME) to go on in a new conversation; the history in Redis stays.");
            }
            var gaveUp = run.gaveUpOnModelApi();
            if (gaveUp.isPresent()) {
                return new Verdict(MessagePhase.Failed, Reasons.CLI_ERROR, modelApiFailure(run, gaveUp.get()));
            }
            return new Verdict(MessagePhase.Failed, Reasons.CLI_ERROR, cliError(run));
        }
        if (!job.complete()) {
            String why = job.failureMessage() != null ? job.failureMessage() : "the claude container failed";
            return new Verdict(MessagePhase.Failed, Reasons.JOB_FAILED, why + lastWords(run));
        }
        if (run != null && run.hasResult()) {
            return new Verdict(MessagePhase.Succeeded, Reasons.SUCCEEDED, "claude finished in " + run.numTurns() + " turn(s)");
        }
        return new Verdict(MessagePhase.Failed, Reasons.NO_RESULT, "claude exited without a result event" + lastWords(run));
    }

    /** A run stopped on request (spec.cancel): Cancelled, whatever the CLI managed to print before it ended. */
    public static Verdict cancelled(RunOutcome run) {
        String done = run != null && run.hasResult() ? "; it ended after " + run.numTurns() + " turn(s), its cost is recorded"
                : "";
        return new Verdict(MessagePhase.Cancelled, Reasons.CANCELLED, "stopped on request (spec.cancel)" + done);
    }

    /** Copies the run's figures into the status; the result text is cut to {@code maxChars}. */
    public static void fill(ClaudeMessageStatus status, RunOutcome run, int maxChars) {
        if (run == null) {
            return;
        }
        if (run.sessionId() != null) {
            status.setSessionId(run.sessionId());
        }
        if (run.hasResult()) {
            status.setNumTurns(run.numTurns());
            status.setCostUsd(run.runCostUsd()); // total_cost_usd is the whole conversation's
            status.setDurationMs(run.durationMs());
            var u = run.usage();
            if (u != null) {
                status.setUsage(new Usage(u.inputTokens(), u.outputTokens(), u.cacheCreationInputTokens(),
                        u.cacheReadInputTokens()));
            }
        }
        String text = run.result() != null && !run.result().isEmpty() ? run.result() : run.assistantText();
        if (text != null && !text.isEmpty()) {
            boolean cut = text.length() > maxChars;
            // never split a surrogate pair: half an emoji is not text
            int end = cut && Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
            status.setResult(cut ? text.substring(0, end) : text);
            status.setResultTruncated(cut ? Boolean.TRUE : null);
        }
        List<String> denials = run.permissionDenials();
        status.setPermissionDenials(denials == null || denials.isEmpty() ? null : denials);
    }

    /** The CLI's words when the transcript to resume is missing (measured with 2.1.330): the session id, or null. */
    private static String lostConversation(RunOutcome run) {
        String prefix = "No conversation found with session ID: ";
        return run.errors() == null ? null : run.errors().stream().filter(e -> e != null && e.startsWith(prefix))
                .map(e -> e.substring(prefix.length()).strip()).findFirst().orElse(null);
    }

    /**
     * The CLI retried the model API until it gave up: the cause first (unreachable, or answering errors), how many
     * requests it made, then the CLI's own words.
     */
    private static String modelApiFailure(RunOutcome run, ApiRetry last) {
        String text = run.result() != null && !run.result().isBlank() ? ": " + run.result() : "";
        return "the model API was " + (last.errorStatus() == null ? "unreachable" : "refusing requests") + " ("
                + last.cause() + "): claude gave up after " + last.requests() + " attempts" + text;
    }

    private static String cliError(RunOutcome run) {
        StringBuilder sb = new StringBuilder("claude reported an error");
        if (run.subtype() != null) {
            sb.append(" (").append(run.subtype()).append(')');
        }
        String text = run.result() != null && !run.result().isBlank() ? run.result()
                : run.errors() == null ? null : String.join("; ", run.errors());
        if (text != null && !text.isBlank()) {
            sb.append(": ").append(text);
        }
        return sb.toString();
    }

    /** What the CLI said last (its errors, or the stray stderr lines of a run without a result event). */
    private static String lastWords(RunOutcome run) {
        if (run == null) {
            return "";
        }
        if (run.errors() != null && !run.errors().isEmpty()) {
            return ": " + String.join("; ", run.errors());
        }
        if (run.otherLines() != null && !run.otherLines().isEmpty()) {
            return ": " + String.join("; ", run.otherLines());
        }
        return "";
    }
}
