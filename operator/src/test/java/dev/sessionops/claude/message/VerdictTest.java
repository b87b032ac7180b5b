package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.cli.StreamJsonParser;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

/** Outcomes decided from real CLI output (fixtures/stream-json) and Job states as the Job controller writes them. */
class VerdictTest {

    private static final long TIMEOUT = 600;
    private static final double ONE_CALL_USD = 0.001131;

    // --- Verdict.of ---

    @Test
    void successfulResultAndCompleteJobSucceed() throws IOException {
        Verdict v = Verdict.of(complete(), fixture("text"), TIMEOUT);
        assertEquals(MessagePhase.Succeeded, v.phase());
        assertEquals(Reasons.SUCCEEDED, v.reason());
        assertEquals("claude finished in 1 turn(s)", v.message());
    }

    @Test
    void aDeniedToolDoesNotFailTheRun() throws IOException {
        Verdict v = Verdict.of(complete(), fixture("permission-denied"), TIMEOUT);
        assertEquals(MessagePhase.Succeeded, v.phase());
        assertEquals("claude finished in 2 turn(s)", v.message());
    }

    @Test
    void deadlineExceededWithoutAResult() throws IOException {
        Verdict v = Verdict.of(deadlineExceeded(), fixture("killed"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.DEADLINE_EXCEEDED, v.reason());
        assertEquals("the run was stopped after its timeout of 600s", v.message());
    }

    @Test
    void deadlineExceededWinsOverWhateverTheCliPrinted() throws IOException {
        for (String name : List.of("text", "api-error", "max-turns")) {
            assertEquals(Reasons.DEADLINE_EXCEEDED, Verdict.of(deadlineExceeded(), fixture(name), TIMEOUT).reason(), name);
        }
        assertEquals(Reasons.DEADLINE_EXCEEDED, Verdict.of(deadlineExceeded(), null, TIMEOUT).reason());
    }

    @Test
    void apiErrorIsACliErrorWithTheCliText() throws IOException {
        Verdict v = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("api-error"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.CLI_ERROR, v.reason());
        assertTrue(v.message().contains("API Error: 400 Fake bad request for testing"), v.message());
    }

    /** The CLI retried the model API until it gave up: the condition names the cause, not just the CLI's text. */
    @Test
    void aModelApiThatNeverAnsweredIsNamedWithItsLastErrorAndTheAttempts() throws IOException {
        Verdict unreachable = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("api-unreachable"), TIMEOUT);
        assertEquals(MessagePhase.Failed, unreachable.phase());
        assertEquals(Reasons.CLI_ERROR, unreachable.reason());
        assertEquals("the model API was unreachable (connection error): claude gave up after 4 attempts: API Error:"
                + " Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)", unreachable.message());

        Verdict overloaded = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("api-overloaded"), TIMEOUT);
        assertTrue(overloaded.message().startsWith("the model API was refusing requests (HTTP 529 overloaded): claude gave"
                + " up after 3 attempts: API Error: Repeated 529 Overloaded errors."), overloaded.message());
    }

    @Test
    void aRunThatGotItsAnswerAfterRetriesSucceeds() throws IOException {
        assertEquals(MessagePhase.Succeeded, Verdict.of(complete(), fixture("api-retried"), TIMEOUT).phase());
    }

    @Test
    void anErrorResultFailsTheMessageEvenWhenTheJobCompleted() throws IOException {
        Verdict v = Verdict.of(complete(), fixture("api-error"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.CLI_ERROR, v.reason());
    }

    @Test
    void maxTurnsIsACliErrorNamingTheSubtypeAndTheCliError() throws IOException {
        Verdict v = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("max-turns"), TIMEOUT);
        assertEquals(Reasons.CLI_ERROR, v.reason());
        assertTrue(v.message().contains("error_max_turns"), v.message());
        assertTrue(v.message().contains("Reached maximum number of turns (1)"), v.message());
    }

    /** The state volume lost the transcript: not a CLI error to retry, a conversation to reset (and how). */
    @Test
    void anUnknownResumeIdIsALostConversationThatSaysHowToGoOn() throws IOException {
        Verdict v = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("resume-unknown"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.CONVERSATION_STATE_LOST, v.reason());
        assertTrue(v.message().contains("Claude session 0b0e2d7e-1111-4222-8333-944455556666"), v.message());
        assertTrue(v.message().contains("spec.resetConversation"), v.message());
    }

    @Test
    void noResultAndAFailedJobIsAJobFailureWithTheJobsMessage() throws IOException {
        Verdict v = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("killed"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.JOB_FAILED, v.reason());
        assertTrue(v.message().startsWith("Job has reached the specified backoff limit"), v.message());
    }

    @Test
    void aFailureWithoutResultQuotesWhatTheCliPrinted() {
        RunOutcome run = dev.sessionops.claude.cli.StreamJsonParser.parse("error: unknown option '--effort'\n");
        Verdict failed = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"), run, TIMEOUT);
        assertEquals(Reasons.JOB_FAILED, failed.reason());
        assertTrue(failed.message().endsWith(": error: unknown option '--effort'"), failed.message());
        Verdict noResult = Verdict.of(complete(), run, TIMEOUT);
        assertEquals(Reasons.NO_RESULT, noResult.reason());
        assertTrue(noResult.message().contains("unknown option"), noResult.message());
    }

    @Test
    void aSuccessfulResultFromAFailedContainerIsAJobFailure() throws IOException {
        Verdict v = Verdict.of(failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                fixture("text"), TIMEOUT);
        assertEquals(Reasons.JOB_FAILED, v.reason());
    }

    @Test
    void noLogAndAFailedJobWithoutMessageIsAJobFailure() {
        Verdict v = Verdict.of(new JobState(true, false, null, null), null, TIMEOUT);
        assertEquals(Reasons.JOB_FAILED, v.reason());
        assertEquals("the claude container failed", v.message());
    }

    @Test
    void noResultAndACompleteJobIsNoResult() throws IOException {
        Verdict v = Verdict.of(complete(), fixture("killed"), TIMEOUT);
        assertEquals(MessagePhase.Failed, v.phase());
        assertEquals(Reasons.NO_RESULT, v.reason());
        assertEquals(Reasons.NO_RESULT, Verdict.of(complete(), null, TIMEOUT).reason());
        assertEquals(Reasons.NO_RESULT, Verdict.of(complete(), StreamJsonParser.parse(""), TIMEOUT).reason());
    }

    // --- Verdict.fill ---

    @Test
    void fillCopiesTheRunsFigures() throws IOException {
        ClaudeMessageStatus status = fill(fixture("text"), 4096);
        assertEquals("6026f4ae-4dd3-40b5-bb5f-41ad82931e9d", status.getSessionId());
        assertEquals(1, status.getNumTurns());
        assertEquals(347L, status.getDurationMs());
        assertEquals(ONE_CALL_USD, status.getCostUsd(), 1e-9);
        assertUsage(120, 30, 10, 5, status.getUsage());
        assertEquals("Received 1 messages. Last: Hello fixture", status.getResult());
        assertNull(status.getResultTruncated());
        assertNull(status.getPermissionDenials());
    }

    @Test
    void costIsThisRunsNotTheConversationsRunningTotal() throws IOException {
        RunOutcome resume = fixture("resume");
        assertEquals(2 * ONE_CALL_USD, resume.costUsd(), 1e-9); // the fixture's total_cost_usd: both runs
        ClaudeMessageStatus status = fill(resume, 4096);
        assertEquals(ONE_CALL_USD, status.getCostUsd(), 1e-9);
        assertEquals("6026f4ae-4dd3-40b5-bb5f-41ad82931e9d", status.getSessionId());
        assertEquals(196L, status.getDurationMs());
        assertUsage(120, 30, 10, 5, status.getUsage());
    }

    @Test
    void usageOfEveryApiCallOfTheRunIsSummed() throws IOException {
        ClaudeMessageStatus status = fill(fixture("tool-write"), 4096);
        assertEquals(2, status.getNumTurns());
        assertEquals(2 * ONE_CALL_USD, status.getCostUsd(), 1e-9);
        assertUsage(240, 60, 20, 10, status.getUsage());
    }

    @Test
    void resultLongerThanMaxCharsIsCutAndMarked() throws IOException {
        ClaudeMessageStatus status = fill(fixture("text"), 8);
        assertEquals("Received", status.getResult());
        assertEquals(Boolean.TRUE, status.getResultTruncated());
    }

    @Test
    void resultOfExactlyMaxCharsIsKeptWhole() throws IOException {
        String result = "Received 1 messages. Last: Hello fixture";
        ClaudeMessageStatus status = fill(fixture("text"), result.length());
        assertEquals(result, status.getResult());
        assertNull(status.getResultTruncated());
    }

    @Test
    void permissionDenialsAreListed() throws IOException {
        assertEquals(List.of("Write"), fill(fixture("permission-denied"), 4096).getPermissionDenials());
        assertEquals(List.of("Write"), fill(fixture("disallowed-tool"), 4096).getPermissionDenials());
    }

    @Test
    void aRunWithoutResultKeepsOnlyItsSessionId() throws IOException {
        ClaudeMessageStatus status = fill(fixture("killed"), 4096);
        assertEquals("e595ad8e-aa49-4a21-84f2-b4ea59dd0f1d", status.getSessionId());
        assertNull(status.getNumTurns());
        assertNull(status.getCostUsd());
        assertNull(status.getDurationMs());
        assertNull(status.getUsage());
    }

    @Test
    void anErrorResultKeepsTheCliErrorTextAsResult() throws IOException {
        ClaudeMessageStatus status = fill(fixture("api-error"), 4096);
        assertEquals("API Error: 400 Fake bad request for testing", status.getResult());
        assertEquals(0.0, status.getCostUsd());
        assertEquals("e4f78e2d-8f69-4243-a4eb-3d09f7247f88", status.getSessionId());
    }

    @Test
    void noRunLeavesTheStatusAlone() {
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        status.setSessionId("kept");
        Verdict.fill(status, null, 4096);
        assertEquals("kept", status.getSessionId());
        assertNull(status.getResult());
    }

    private static ClaudeMessageStatus fill(RunOutcome run, int maxChars) {
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        Verdict.fill(status, run, maxChars);
        return status;
    }

    private static void assertUsage(long in, long out, long cacheCreation, long cacheRead, Usage u) {
        assertEquals(List.of(in, out, cacheCreation, cacheRead), List.of(u.getInputTokens(), u.getOutputTokens(),
                u.getCacheCreationInputTokens(), u.getCacheReadInputTokens()));
    }

    private static JobState complete() {
        return JobState.of(job("Complete", null, null));
    }

    private static JobState deadlineExceeded() {
        return JobState.of(job("Failed", "DeadlineExceeded", "Job was active longer than specified deadline"));
    }

    private static JobState failed(String reason, String message) {
        return JobState.of(job("Failed", reason, message));
    }

    /** A finished Job as the Job controller reports it; a condition that is not True (here FailureTarget) is ignored. */
    private static Job job(String type, String reason, String message) {
        return new JobBuilder()
                .withNewMetadata().withName("m-0123456789").endMetadata()
                .withNewStatus()
                    .addNewCondition().withType("FailureTarget").withStatus("False").endCondition()
                    .addNewCondition().withType(type).withStatus("True").withReason(reason).withMessage(message).endCondition()
                .endStatus()
                .build();
    }

    private static RunOutcome fixture(String name) throws IOException {
        try (InputStream in = VerdictTest.class.getResourceAsStream("/fixtures/stream-json/" + name + ".jsonl")) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return StreamJsonParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
