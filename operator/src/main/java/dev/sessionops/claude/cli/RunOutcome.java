package dev.sessionops.claude.cli;

import java.util.List;
import java.util.Optional;

/**
 * What one CLI run reported on its stream-json stdout.
 *
 * @param sessionId the Claude session id ({@code system/init}, else the {@code result} event); null if neither
 * @param hasResult false when no {@code result} event was seen (e.g. the pod was killed): the run failed
 * @param isError the result's {@code is_error}; true also for API errors whose {@code subtype} is {@code success}
 * @param subtype e.g. {@code success}, {@code error_max_turns}, {@code error_max_budget_usd},
 *        {@code error_during_execution}
 * @param costUsd the result's {@code total_cost_usd}: on {@code --resume} the CLI restores the session's earlier
 *        cost, so this is the <em>conversation's</em> running total, not this run's
 * @param runCostUsd this run's cost ({@code model_usage_since_last_result}; {@code costUsd} when that is missing)
 * @param usage this run's tokens (the result's {@code usage}, summed over the run's API calls)
 * @param permissionDenials tool names of the result's {@code permission_denials}, one per denied call
 * @param assistantText the text blocks of the main conversation's assistant events, joined by newlines
 * @param errors the result's {@code errors} and, for {@code is_error}, its text
 * @param lastAssistantUuid the {@code uuid} of the main conversation's last assistant event: where a later run
 *        resumes from ({@code --resume-session-at})
 * @param otherLines the lines that were not stream-json events (stray stderr in a pod log), at most the last
 *        {@value StreamJsonParser#MAX_OTHER_LINES}
 * @param apiRetries the model API's retries during the run ({@link ModelApiRetries#NONE}: none)
 * @param terminalReason the result's {@code terminal_reason}, e.g. {@code api_error} when the CLI gave up on the
 *        model API (null: none)
 */
public record RunOutcome(
        String sessionId,
        String model,
        String cwd,
        boolean hasResult,
        String result,
        boolean isError,
        String subtype,
        int numTurns,
        long durationMs,
        double costUsd,
        double runCostUsd,
        TokenUsage usage,
        List<String> permissionDenials,
        String assistantText,
        String lastAssistantUuid,
        List<String> errors,
        List<String> otherLines,
        ModelApiRetries apiRetries,
        String terminalReason) {

    public RunOutcome {
        apiRetries = apiRetries == null ? ModelApiRetries.NONE : apiRetries;
        permissionDenials = List.copyOf(permissionDenials);
        errors = List.copyOf(errors);
        otherLines = List.copyOf(otherLines);
    }

    /** A result event that is not an error. */
    public boolean succeeded() {
        return hasResult && !isError;
    }

    /**
     * The CLI gave up on the model API after retrying it (the run's last spell of retries never got an answer): the
     * retry it gave up after; empty when the run ended otherwise.
     */
    public Optional<ApiRetry> gaveUpOnModelApi() {
        return hasResult && isError && ModelApiRetries.API_ERROR.equals(terminalReason) && apiRetries.retrying()
                ? Optional.of(apiRetries.latest()) : Optional.empty();
    }

    /** The CLI's own explanation of a failed run, for a status condition; null when it succeeded. */
    public String errorMessage() {
        if (succeeded()) {
            return null;
        }
        if (!errors.isEmpty()) {
            return String.join("\n", errors);
        }
        if (hasResult) {
            return "The CLI reported an error (" + subtype + ")";
        }
        return otherLines.isEmpty()
                ? "The CLI ended without a result event"
                : "The CLI ended without a result event: " + String.join("\n", otherLines);
    }
}
