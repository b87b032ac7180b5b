package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PendingRecord;
import dev.sessionops.claude.history.Outcome;
import dev.sessionops.claude.history.Recorded;
import dev.sessionops.claude.cli.ModelApiRetries;
import dev.sessionops.claude.events.PodWaiting;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.message.MessageAction.AwaitHistory;
import dev.sessionops.claude.message.MessageAction.CreateJob;
import dev.sessionops.claude.message.MessageAction.EndWithoutRun;
import dev.sessionops.claude.message.MessageAction.Finish;
import dev.sessionops.claude.message.MessageAction.ReportRun;
import dev.sessionops.claude.message.MessageAction.Wait;
import dev.sessionops.claude.message.MessageObservation.FinishedRun;
import dev.sessionops.claude.message.MessageObservation.PlanCheck;
import dev.sessionops.claude.message.MessageObservation.Redis;
import dev.sessionops.claude.message.MessageObservation.Session;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

/**
 * The message state machine, edge by edge: plain JUnit on {@link MessageTransition#next}, no Kubernetes, no Redis.
 * Every fact that costs a request fails the test when asked for unless the row provides it, so each row also pins
 * down what the reconciler reads on that edge.
 */
class MessageTransitionTest {
    private static final RunPlanner.PlannedRun PLAN = new RunPlanner.PlannedRun(null, null);
    private static final Outcome OUTCOME = new Outcome(MessagePhase.Succeeded, Reasons.SUCCEEDED, "done", "hi", null,
            "sid-1", 1, 0.1, 10L, null, null, null, null);
    private static final PendingRecord PENDING = pending();
    /** How long the rows' messages have waited, by reason. */
    private static final java.util.Map<String, Duration> WAITED = java.util.Map.of(Reasons.CONFIG_MAP_KEY_NOT_FOUND,
            Duration.ofMinutes(11));
    private static final RunOutcome OK_RUN = new RunOutcome("sid-1", "m", "/w", true, "hi", false, "success", 1, 10, 0.1,
            0.1, null, List.of(), "hi", "uuid-1", List.of(), List.of(), ModelApiRetries.NONE, null);

    /** The run's CLI retries the model API: its first retry, shown. */
    private static final ModelApiRetries RETRYING = ModelApiRetries.NONE.next(retry(1, 6000));
    /** ... and a second one, 6 s later: worth showing. */
    private static final ModelApiRetries RETRYING_LATER = RETRYING.next(retry(2, 9000));
    /** ... and the API answered. */
    private static final ModelApiRetries ANSWERED = RETRYING.next("{\"type\":\"assistant\",\"message\":{\"model\":\"m\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}");
    private static final String RUNNING_TEXT = "running as Job chat-01-abc";
    private static final RunSlots.Answer SLOT_FREE = new RunSlots(java.util.Optional.empty(), java.util.Optional.empty(),
            ns -> dev.sessionops.claude.limits.NamespaceLimits.NONE, System::nanoTime)
            .acquire(new RunSlots.Candidate("ns", "m", false, "uid"));

    private static String retry(int attempt, long delayMs) {
        return "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":" + attempt + ",\"max_retries\":10,"
                + "\"retry_delay_ms\":" + delayMs + ",\"error_status\":529,\"error\":\"overloaded\"}";
    }

    /** An observation with every costly fact unasked-for; rows override what they need. */
    private record Obs(MessagePhase phase, String reason, String conditionText, String jobName, PendingRecord pending,
            boolean cancel, Job job, ModelApiRetries modelApi, Session session,
            Supplier<PlanCheck> plan, Supplier<Redis<String>> resume,
            Supplier<Redis<Recorded>> recorded, Supplier<FinishedRun> run) {

        static Obs of(MessagePhase phase, Session session) {
            return new Obs(phase, null, null, null, null, false, null, null, session, unasked("plan"), unasked("resume id"),
                    unasked("recorded"), unasked("log"));
        }

        Obs cancelled() {
            return new Obs(phase, reason, conditionText, jobName, pending, true, job, modelApi, session, plan, resume,
                    recorded, run);
        }

        Obs pending(PendingRecord p) {
            return new Obs(phase, reason, conditionText, jobName, p, cancel, job, modelApi, session, plan, resume, recorded,
                    run);
        }

        /** Redis: not recorded (false), or recorded by a version that kept no outcome (true). */
        Obs recorded(Redis<Boolean> r) {
            return recordedAs(r.isDown() ? Redis.down(r.unavailable()) : Redis.of(r.value() ? new Recorded(true, null) : Recorded.NO));
        }

        Obs recordedAs(Redis<Recorded> r) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, session, plan, resume,
                    () -> r, run);
        }

        Obs job(String name, Job job) {
            return new Obs(phase, reason, conditionText, name, pending, cancel, job, modelApi, session, plan, resume,
                    recorded, run);
        }

        Obs reason(String r) {
            return shows(r, conditionText);
        }

        /** Its condition's reason and message now. */
        Obs shows(String r, String text) {
            return new Obs(phase, r, text, jobName, pending, cancel, job, modelApi, session, plan, resume, recorded, run);
        }

        /** The model API's retries in its run, as its live events show them. */
        Obs modelApi(ModelApiRetries retries) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, retries, session, plan, resume,
                    recorded, run);
        }

        Obs plan(PlanCheck check) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, session, () -> check,
                    resume, recorded, run);
        }

        Obs resume(Redis<String> r) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, session, plan, () -> r,
                    recorded, run);
        }

        Obs run(RunOutcome outcome) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, session, plan, resume,
                    recorded, () -> new FinishedRun(dev.sessionops.claude.events.RunLog.of(outcome)));
        }

        /** The run's events are still being written (its follower runs). */
        Obs settling() {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, session, plan, resume,
                    recorded, () -> new FinishedRun(null, true));
        }

        Obs with(Session s) {
            return new Obs(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, s, plan, resume, recorded,
                    run);
        }

        MessageObservation build() {
            return new MessageObservation(phase, reason, conditionText, jobName, pending, cancel, job, modelApi, null, session,
                    session == Session.ONE_SHOT ? null : "chat", plan, resume, recorded, run,
                    r -> WAITED.getOrDefault(r, Duration.ZERO), Duration.ofMinutes(10), () -> SLOT_FREE);
        }
    }

    private static PendingRecord pending() {
        PendingRecord p = new PendingRecord();
        p.setPhase(MessagePhase.Succeeded);
        p.setReason(Reasons.SUCCEEDED);
        p.setPrompt("Hello");
        return p;
    }

    private static <T> Supplier<T> unasked(String what) {
        return () -> {
            throw new AssertionError("the transition asked for " + what + " on this edge");
        };
    }

    private static Job job(String condition, String reason) {
        JobBuilder b = new JobBuilder().withNewMetadata().withName("chat-01-abc").endMetadata().withNewSpec()
                .withActiveDeadlineSeconds(600L).endSpec();
        if (condition != null) {
            b.withNewStatus().addNewCondition().withType(condition).withStatus("True").withReason(reason).endCondition()
                    .endStatus();
        }
        return b.build();
    }

    /** A message not started: whether Redis recorded its run is always asked (never run twice); here it did not. */
    private static Obs notStarted(MessagePhase phase, Session session) {
        return Obs.of(phase, session).recorded(Redis.of(false));
    }

    private static Job deleting(Job job) {
        job.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        return job;
    }

    /** A running message whose Job runs, its condition the one a new run gets. */
    private static Obs running() {
        return Obs.of(MessagePhase.Running, Session.ACTIVE).job("chat-01-abc", job(null, null))
                .shows(Reasons.JOB_CREATED, RUNNING_TEXT);
    }

    private static Obs fresh() {
        return notStarted(null, Session.ACTIVE);
    }

    private static Obs readyToRun() {
        return notStarted(null, Session.ONE_SHOT).plan(PlanCheck.ok(PLAN)).resume(Redis.of("sid-0"));
    }

    /** edge, observation, expected action, expected phase (for Wait / EndWithoutRun / Finish), expected reason. */
    static Stream<Arguments> edges() {
        return Stream.of(
                row("terminal: never touched again", Obs.of(MessagePhase.Succeeded, Session.ACTIVE).job("j", null),
                        MessageAction.Nothing.class, null, null),
                row("terminal Failed, Job still there: it is deleted (the outcome is recorded)", Obs.of(MessagePhase.Failed,
                        Session.ACTIVE).job("j", job("Failed", null)), MessageAction.DeleteJob.class, null, null),
                row("Job deleted mid-run", Obs.of(MessagePhase.Running, Session.ACTIVE).job("chat-01-abc", null)
                        .recorded(Redis.of(false)), EndWithoutRun.class, MessagePhase.Cancelled, Reasons.JOB_DELETED),
                row("session deleted mid-run: its Job (and then the message) go with it", Obs.of(MessagePhase.Running,
                        Session.MISSING).job("chat-01-abc", null).recorded(Redis.of(false)), EndWithoutRun.class,
                        MessagePhase.Cancelled, Reasons.JOB_DELETED),
                row("Job gone, Redis down: it may have been recorded, wait", Obs.of(MessagePhase.Running, Session.ACTIVE)
                        .job("chat-01-abc", null).recorded(Redis.down("refused")), AwaitHistory.class, null, null),
                row("Job gone after Redis recorded it, status write lost: rebuilt from Redis", Obs.of(MessagePhase.Running,
                        Session.ACTIVE).job("chat-01-abc", null).recordedAs(Redis.of(new Recorded(true, OUTCOME))),
                        MessageAction.Restore.class, MessagePhase.Succeeded, null),
                row("Job gone while Redis was down, the run kept in the status: recorded now", Obs.of(MessagePhase.Running,
                        Session.ACTIVE).job("chat-01-abc", null).pending(PENDING).recorded(Redis.of(false)),
                        MessageAction.RecordPending.class, MessagePhase.Succeeded, null),
                row("Job complete, its run kept in the status, Redis recorded it since: rebuilt from Redis, the log not read",
                        Obs.of(MessagePhase.Running, Session.ACTIVE).job("j", job("Complete", null)).pending(PENDING)
                        .recordedAs(Redis.of(new Recorded(true, OUTCOME))), MessageAction.Restore.class, MessagePhase.Succeeded,
                        null),
                row("Job complete, its run kept in the status, Redis back: recorded now", Obs.of(MessagePhase.Running,
                        Session.ACTIVE).job("j", job("Complete", null)).pending(PENDING).run(OK_RUN).recorded(Redis.of(false)),
                        Finish.class, MessagePhase.Succeeded, Reasons.SUCCEEDED),
                row("Job complete, Redis still down, the run kept already: the log not read again", Obs.of(
                        MessagePhase.Running, Session.ACTIVE).job("j", job("Complete", null)).pending(PENDING)
                        .recorded(Redis.down("refused")), AwaitHistory.class, null, null),
                row("Running, Job unfinished", Obs.of(MessagePhase.Running, Session.ACTIVE).job("chat-01-abc", job(null, null)),
                        MessageAction.Follow.class, null, null),
                row("Running, its CLI retrying the model API: the condition says so", running().shows(Reasons.JOB_CREATED,
                        RUNNING_TEXT).modelApi(RETRYING), ReportRun.class, null, Reasons.RETRYING_MODEL_API),
                row("Running, the retry shown already: nothing to write", running().shows(Reasons.RETRYING_MODEL_API,
                        RETRYING.describe()).modelApi(RETRYING), MessageAction.Follow.class, null, null),
                row("Running, a later retry worth showing", running().shows(Reasons.RETRYING_MODEL_API, RETRYING.describe())
                        .modelApi(RETRYING_LATER), ReportRun.class, null, Reasons.RETRYING_MODEL_API),
                row("Running, the API answered after its retries: back to running", running().shows(
                        Reasons.RETRYING_MODEL_API, RETRYING.describe()).modelApi(ANSWERED), ReportRun.class, null,
                        Reasons.JOB_CREATED),
                row("Running, answered and back to running already", running().shows(Reasons.JOB_CREATED, RUNNING_TEXT)
                        .modelApi(ANSWERED), MessageAction.Follow.class, null, null),
                row("Running, shown retrying, the live events not read yet (a new leader): left as it is", running()
                        .shows(Reasons.RETRYING_MODEL_API, RETRYING.describe()), MessageAction.Follow.class, null, null),
                row("cancelled while retrying the model API: the Job is stopped", running().modelApi(RETRYING).cancelled(),
                        MessageAction.Interrupt.class, null, null),
                row("Job failed while its live events show retries: the run's own verdict", Obs.of(MessagePhase.Running,
                        Session.ACTIVE).job("j", job("Failed", "BackoffLimitExceeded")).shows(Reasons.RETRYING_MODEL_API,
                        RETRYING.describe()).modelApi(RETRYING).run(null), Finish.class,
                        MessagePhase.Failed, Reasons.JOB_FAILED),
                row("Running, session deleted, Job still running", Obs.of(MessagePhase.Running, Session.MISSING)
                        .job("chat-01-abc", job(null, null)), MessageAction.Follow.class, null, null),
                row("lost status write after create: Job runs, phase Queued", Obs.of(MessagePhase.Queued, Session.ACTIVE)
                        .job(null, job(null, null)), MessageAction.Adopt.class, null, null),
                row("lost status write, new message", Obs.of(null, Session.ONE_SHOT).job(null, job(null, null)),
                        MessageAction.Adopt.class, null, null),
                row("recorded while no status write landed, its Job gone: stated from Redis, never run again", Obs.of(null,
                        Session.ACTIVE).recordedAs(Redis.of(new Recorded(true, OUTCOME))), MessageAction.Restore.class,
                        MessagePhase.Succeeded, null),
                row("cancelled before it ran: no Job, never planned", fresh().cancelled(), EndWithoutRun.class,
                        MessagePhase.Cancelled, Reasons.CANCELLED),
                row("cancelled while queued", Obs.of(MessagePhase.Queued, Session.ACTIVE).reason(Reasons.QUEUED).cancelled(),
                        EndWithoutRun.class, MessagePhase.Cancelled, Reasons.CANCELLED),
                row("cancelled while its Job runs: the Job is stopped", Obs.of(MessagePhase.Running, Session.ACTIVE)
                        .job("chat-01-abc", job(null, null)).cancelled(), MessageAction.Interrupt.class, null, null),
                row("cancelled, its Job gone: Cancelled with what its live events hold (its cost), recorded",
                        Obs.of(MessagePhase.Running, Session.ACTIVE).job("chat-01-abc", null).cancelled()
                                .recorded(Redis.of(false)).run(OK_RUN), Finish.class, MessagePhase.Cancelled,
                        Reasons.CANCELLED),
                row("cancelled, its Job gone, its last events still coming: a moment later", Obs.of(MessagePhase.Running,
                        Session.ACTIVE).job("chat-01-abc", null).cancelled().recorded(Redis.of(false)).settling(),
                        Wait.class, MessagePhase.Running, Reasons.CANCELLING),
                row("cancelled, its Job finished while being deleted (we stopped it): Cancelled", Obs.of(
                        MessagePhase.Running, Session.ACTIVE).job("j", deleting(job("Complete", null))).cancelled()
                        .recorded(Redis.of(false)).run(OK_RUN), Finish.class, MessagePhase.Cancelled, Reasons.CANCELLED),
                row("cancelled after its run finished: the run's own verdict", Obs.of(MessagePhase.Running, Session.ACTIVE)
                        .job("j", job("Complete", null)).cancelled().run(OK_RUN), Finish.class,
                        MessagePhase.Succeeded, Reasons.SUCCEEDED),
                row("terminal and cancelled: nothing", Obs.of(MessagePhase.Succeeded, Session.ACTIVE).cancelled(),
                        MessageAction.Nothing.class, null, null),
                row("Job complete: recorded without asking Redis first (a replay is the recording's to tell)", Obs.of(
                        MessagePhase.Running, Session.ACTIVE).job("j", job("Complete", null)).run(OK_RUN), Finish.class,
                        MessagePhase.Succeeded, Reasons.SUCCEEDED),
                row("Job failed by deadline", Obs.of(MessagePhase.Running, Session.ACTIVE)
                        .job("j", job("Failed", "DeadlineExceeded")).run(null), Finish.class,
                        MessagePhase.Failed, Reasons.DEADLINE_EXCEEDED),
                row("Job failed, no log", Obs.of(MessagePhase.Running, Session.ONE_SHOT).job("j", job("Failed", "BackoffLimitExceeded"))
                        .run(null), Finish.class, MessagePhase.Failed, Reasons.JOB_FAILED),
                row("session not there (yet)", notStarted(null, Session.MISSING), Wait.class, MessagePhase.Pending,
                        Reasons.SESSION_NOT_FOUND),
                row("session gone while queued", notStarted(MessagePhase.Queued, Session.MISSING).reason(Reasons.QUEUED), Wait.class,
                        MessagePhase.Pending, Reasons.SESSION_NOT_FOUND),
                row("new, inputs missing", fresh().plan(PlanCheck.problem(MessageProblem.waiting(Reasons.CREDENTIALS_MISSING,
                        "no Secret"))), Wait.class, MessagePhase.Pending, Reasons.CREDENTIALS_MISSING),
                row("new, inputs invalid", fresh().plan(PlanCheck.problem(MessageProblem.invalid(Reasons.PROMPT_MISSING,
                        "empty"))), EndWithoutRun.class, MessagePhase.Failed, Reasons.PROMPT_MISSING),
                row("one-shot, inputs missing longer than the pending timeout: Failed, nothing holds it up for ever",
                        notStarted(null, Session.ONE_SHOT).plan(PlanCheck.problem(MessageProblem.waiting(
                                Reasons.CONFIG_MAP_KEY_NOT_FOUND, "no key"))), EndWithoutRun.class, MessagePhase.Failed,
                        Reasons.PENDING_TIMEOUT),
                row("a session's message missing inputs that long waits: its session times out its head",
                        fresh().plan(PlanCheck.problem(MessageProblem.waiting(Reasons.CONFIG_MAP_KEY_NOT_FOUND, "no key"))),
                        Wait.class, MessagePhase.Pending, Reasons.CONFIG_MAP_KEY_NOT_FOUND),
                row("one-shot, inputs missing a while: waits", notStarted(null, Session.ONE_SHOT).plan(PlanCheck.problem(
                        MessageProblem.waiting(Reasons.CREDENTIALS_MISSING, "no Secret"))), Wait.class, MessagePhase.Pending,
                        Reasons.CREDENTIALS_MISSING),
                row("one-shot, inputs invalid", notStarted(null, Session.ONE_SHOT).plan(PlanCheck.problem(
                        MessageProblem.invalid(Reasons.INVALID_EFFORT, "no"))), EndWithoutRun.class, MessagePhase.Failed,
                        Reasons.INVALID_EFFORT),
                row("new, valid: queued for the session to start", fresh().plan(PlanCheck.ok(PLAN)), Wait.class,
                        MessagePhase.Queued, Reasons.QUEUED),
                row("new, valid, its idle session starts it now: no Queued write first", fresh().plan(PlanCheck.ok(PLAN))
                        .with(Session.STARTS_IT), MessageAction.Nothing.class, null, null),
                row("new, invalid, though its session would start it: failed", fresh().with(Session.STARTS_IT)
                        .plan(PlanCheck.problem(MessageProblem.invalid(Reasons.INVALID_EFFORT, "no"))), EndWithoutRun.class,
                        MessagePhase.Failed, Reasons.INVALID_EFFORT),
                row("pending, inputs back, its idle session starts it: queued all the same (its Pending goes)",
                        notStarted(MessagePhase.Pending, Session.STARTS_IT).reason(Reasons.CREDENTIALS_MISSING)
                        .plan(PlanCheck.ok(PLAN)), Wait.class, MessagePhase.Queued, Reasons.QUEUED),
                row("queued: its inputs are not read again, the session starts it", notStarted(MessagePhase.Queued, Session.ACTIVE)
                        .reason(Reasons.QUEUED), MessageAction.Nothing.class, null, null),
                row("pending, inputs back: queued", notStarted(MessagePhase.Pending, Session.ACTIVE).reason(Reasons.CREDENTIALS_MISSING)
                        .plan(PlanCheck.ok(PLAN)), Wait.class, MessagePhase.Queued, Reasons.QUEUED),
                row("suspended", fresh().plan(PlanCheck.ok(PLAN)).with(Session.SUSPENDED), Wait.class, MessagePhase.Queued,
                        Reasons.SESSION_SUSPENDED),
                row("queued, then suspended", notStarted(MessagePhase.Queued, Session.SUSPENDED).reason(Reasons.QUEUED)
                        .plan(PlanCheck.ok(PLAN)), Wait.class, MessagePhase.Queued, Reasons.SESSION_SUSPENDED),
                row("resumed: queued again for the session to start", notStarted(MessagePhase.Queued, Session.ACTIVE)
                        .reason(Reasons.SESSION_SUSPENDED).plan(PlanCheck.ok(PLAN)), Wait.class, MessagePhase.Queued, Reasons.QUEUED),
                row("resumed, the session already started it", Obs.of(MessagePhase.Queued, Session.ACTIVE)
                        .reason(Reasons.SESSION_SUSPENDED).job(null, job(null, null)), MessageAction.Adopt.class, null, null),
                row("one-shot, Redis down", notStarted(null, Session.ONE_SHOT).plan(PlanCheck.ok(PLAN)).resume(Redis.down("refused")),
                        Wait.class, MessagePhase.Pending, Reasons.HISTORY_STORE_UNAVAILABLE),
                row("one-shot: no queue, it creates its own Job", readyToRun(), CreateJob.class, null, null),
                row("one-shot, 409 on create: the same run, adopted from the Job", Obs.of(null, Session.ONE_SHOT)
                        .job(null, job(null, null)), MessageAction.Adopt.class, null, null));
    }

    /**
     * The kubelet cannot start the run's pod: CredentialsMissing when its words are about the run's credentials
     * Secret (announced once), ContainerConfigError for any other; back to running once the pod starts.
     */
    @Test
    void aPodTheKubeletCannotStartIsReportedUntilItStarts() {
        Job job = new JobBuilder().withNewMetadata().withName("chat-01-abc").withNamespace("team-a").endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(600L).withNewTemplate().withNewSpec().addNewContainer()
                .withName(dev.sessionops.claude.api.runner.PodLayout.CONTAINER).addNewEnv().withName("ANTHROPIC_API_KEY")
                .withNewValueFrom().withNewSecretKeyRef("ANTHROPIC_API_KEY", "anthropic", false).endValueFrom().endEnv()
                .endContainer().endSpec().endTemplate().endSpec().build();
        Obs base = Obs.of(MessagePhase.Running, Session.ACTIVE).job("chat-01-abc", job).shows(Reasons.JOB_CREATED, RUNNING_TEXT);

        ReportRun missing = assertInstanceOf(ReportRun.class, MessageTransition.next(withPod(base.build(),
                new PodWaiting("claude", "secret \"anthropic\" not found"))));
        assertEquals(Reasons.CREDENTIALS_MISSING, missing.reason());
        assertTrue(missing.announce());
        assertTrue(missing.text().contains("secret \"anthropic\" not found"), missing.text());
        assertInstanceOf(MessageAction.Follow.class, MessageTransition.next(withPod(
                base.shows(Reasons.CREDENTIALS_MISSING, missing.text()).build(), new PodWaiting("claude", "secret \"anthropic\" not found"))),
                "shown already: nothing to write");
        ReportRun noKey = assertInstanceOf(ReportRun.class, MessageTransition.next(withPod(
                base.shows(Reasons.CREDENTIALS_MISSING, missing.text()).build(),
                new PodWaiting("claude", "couldn't find key ANTHROPIC_API_KEY in Secret team-a/anthropic"))));
        assertEquals(Reasons.CREDENTIALS_MISSING, noKey.reason());
        assertFalse(noKey.announce(), "the same reason, other words: no second Event");
        ReportRun other = assertInstanceOf(ReportRun.class, MessageTransition.next(withPod(base.build(),
                new PodWaiting("claude", "secret \"db\" not found"))));
        assertEquals(Reasons.CONTAINER_CONFIG_ERROR, other.reason());

        ReportRun started = assertInstanceOf(ReportRun.class, MessageTransition.next(
                base.shows(Reasons.CREDENTIALS_MISSING, missing.text()).build()));
        assertEquals(Reasons.JOB_CREATED, started.reason());
        assertFalse(started.announce());
    }

    private static MessageObservation withPod(MessageObservation o, PodWaiting pod) {
        return new MessageObservation(o.phase(), o.reason(), o.conditionText(), o.jobName(), o.pending(), o.cancel(), o.job(),
                o.modelApi(), pod, o.session(), o.sessionName(), o.plan(), o.resumeFrom(), o.recorded(), o.run(),
                o.waitedFor(), o.pendingTimeout(), o.slot());
    }

    private static Arguments row(String edge, Obs o, Class<? extends MessageAction> action, MessagePhase phase, String reason) {
        return Arguments.of(edge, o, action, phase, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void edge(String edge, Obs o, Class<? extends MessageAction> expected, MessagePhase phase, String reason) {
        MessageAction action = MessageTransition.next(o.build());
        assertInstanceOf(expected, action, edge);
        if (action instanceof Wait w) {
            assertEquals(phase, w.phase(), edge);
            assertEquals(reason, w.reason(), edge);
        } else if (action instanceof EndWithoutRun e) {
            assertEquals(phase, e.phase(), edge);
            assertEquals(reason, e.reason(), edge);
        } else if (action instanceof Finish f) {
            assertEquals(phase, f.verdict().phase(), edge);
            assertEquals(reason, f.verdict().reason(), edge);
        } else if (action instanceof ReportRun r) {
            assertEquals(reason, r.reason(), edge);
        } else if (action instanceof MessageAction.Restore r) {
            assertEquals(phase, r.outcome().phase(), edge);
        } else if (action instanceof MessageAction.RecordPending p) {
            assertEquals(phase, p.pending().getPhase(), edge);
        }
    }

    /** One Event per run, on its first retry: not per retry shown, nor for a later spell of retries. */
    @Test
    void onlyTheRunsFirstSpellOfRetriesIsAnnounced() {
        ReportRun first = (ReportRun) MessageTransition.next(running().modelApi(RETRYING).build());
        assertTrue(first.announce());
        assertEquals("the model API did not answer (HTTP 529 overloaded); retrying, attempt 1 of 10", first.text());

        ReportRun later = (ReportRun) MessageTransition.next(running().shows(Reasons.RETRYING_MODEL_API, first.text())
                .modelApi(RETRYING_LATER).build());
        assertFalse(later.announce());
        assertEquals("the model API did not answer (HTTP 529 overloaded); retrying, attempt 2 of 10", later.text());

        ReportRun back = (ReportRun) MessageTransition.next(running().shows(Reasons.RETRYING_MODEL_API, later.text())
                .modelApi(ANSWERED).build());
        assertFalse(back.announce());
        assertEquals(RUNNING_TEXT, back.text());

        ModelApiRetries secondSpell = ANSWERED.next(retry(1, 600));
        ReportRun again = (ReportRun) MessageTransition.next(running().modelApi(secondSpell).build());
        assertEquals(Reasons.RETRYING_MODEL_API, again.reason());
        assertFalse(again.announce(), "the run's Event was raised on its first spell");
    }

    /**
     * A finished run is always given to the recording, which tells a replay itself; only a run kept in the status
     * (its recording waited for Redis) asks first, and one recorded meanwhile by a version that kept no outcome is not
     * recorded again.
     */
    @Test
    void aReplayedCompletionIsNotRecordedTwice() {
        Obs finished = Obs.of(MessagePhase.Running, Session.ACTIVE).job("j", job("Complete", null)).run(OK_RUN);
        assertTrue(((Finish) MessageTransition.next(finished.build())).record());
        assertTrue(((Finish) MessageTransition.next(finished.pending(PENDING).recorded(Redis.of(false)).build())).record());
        assertFalse(((Finish) MessageTransition.next(finished.pending(PENDING).recorded(Redis.of(true)).build())).record());
    }

    @Test
    void theJobResumesTheConversationsCurrentSession() {
        CreateJob create = (CreateJob) MessageTransition.next(readyToRun().build());
        assertSame(PLAN, create.plan());
        assertEquals("sid-0", create.resumeFrom());
        CreateJob first = (CreateJob) MessageTransition.next(readyToRun().resume(Redis.of(null)).build());
        assertNull(first.resumeFrom());
    }

    @Test
    void waitingForInputsOrRedisLooksAgainButWaitingForTheSessionOrItsTurnWaitsForAnEvent() {
        Wait inputs = (Wait) MessageTransition.next(fresh().plan(PlanCheck.problem(MessageProblem.waiting(
                Reasons.CONFIG_MAP_NOT_FOUND, "no ConfigMap"))).build());
        assertEquals(MessageTransition.RECHECK, inputs.recheck());
        assertNull(((Wait) MessageTransition.next(notStarted(null, Session.MISSING).build())).recheck());
        assertNull(((Wait) MessageTransition.next(fresh().plan(PlanCheck.ok(PLAN)).with(Session.SUSPENDED).build())).recheck());
        assertNull(((Wait) MessageTransition.next(fresh().plan(PlanCheck.ok(PLAN)).build())).recheck(), "no queue poll");
    }
}
