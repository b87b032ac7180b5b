package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Which refused Job creates are the namespace's or the input's doing, and how long a quota wait lasts. */
class JobRefusalTest {

    @Test
    void aQuotaWaitsAndIsTriedAgain() {
        JobRefusal quota = JobRefusal.of(403, "jobs.batch \"m-1\" is forbidden: exceeded quota: jobs, requested: "
                + "count/jobs.batch=1, used: count/jobs.batch=2, limited: count/jobs.batch=2").orElseThrow();
        assertTrue(quota.waiting());
        assertEquals(Reasons.QUOTA_EXCEEDED, quota.reason());
        assertTrue(quota.message().contains("limited: count/jobs.batch=2"), quota.message());
        assertTrue(JobRefusal.of(403, "jobs.batch \"m-1\" is forbidden: status unknown for quota: jobs, resource: "
                + "count/jobs.batch").orElseThrow().waiting());
    }

    @Test
    void tooLargeInvalidOrDeniedByAWebhookIsFinal() {
        for (int code : new int[] {413, 422}) {
            JobRefusal r = JobRefusal.of(code, "nope").orElseThrow();
            assertFalse(r.waiting());
            assertEquals(Reasons.JOB_REJECTED, r.reason());
            assertTrue(r.message().contains("(" + code + ")"), r.message());
        }
        assertEquals(Reasons.JOB_REJECTED, JobRefusal.of(403,
                "admission webhook \"policy.example.com\" denied the request: no").orElseThrow().reason());
        assertEquals(Reasons.JOB_REJECTED, JobRefusal.of(400,
                "admission webhook \"policy.example.com\" denied the request: no").orElseThrow().reason());
    }

    /** The prompt's ConfigMap is created first; its refusal says so, and is found wherever the workflow wrapped it. */
    @Test
    void aRefusedPromptConfigMapIsNamedAndFoundInTheCauseChain() {
        JobRefusal quota = JobRefusal.of(403, "configmaps \"p\" is forbidden: exceeded quota: cms", JobRefusal.PROMPT)
                .orElseThrow();
        assertTrue(quota.waiting());
        assertTrue(quota.message().startsWith("the namespace's ResourceQuota refused the prompt's ConfigMap"), quota.message());
        JobRefusal tooLarge = JobRefusal.of(413, "too large", JobRefusal.PROMPT).orElseThrow();
        assertEquals("the API server refused the prompt's ConfigMap (413): too large", tooLarge.message());

        RuntimeException wrapped = new RuntimeException("workflow", new RunRefused(tooLarge, null));
        assertEquals(java.util.Optional.of(tooLarge), JobRefusal.in(wrapped));
        var jobRefused = new io.fabric8.kubernetes.client.KubernetesClientException("nope", 422, null);
        assertEquals(Reasons.JOB_REJECTED, JobRefusal.in(new RuntimeException(jobRefused)).orElseThrow().reason());
        assertTrue(JobRefusal.in(new RuntimeException("no client error")).isEmpty());
    }

    @Test
    void theOperatorsOwnProblemsStayErrors() {
        // RBAC, a conflict, the API server down: retried by the SDK and shown as ReconcileError, not blamed on the input
        assertTrue(JobRefusal.of(403, "jobs.batch is forbidden: User \"system:serviceaccount:x:y\" cannot create").isEmpty());
        assertTrue(JobRefusal.of(409, "already exists").isEmpty());
        assertTrue(JobRefusal.of(500, "etcdserver: request timed out").isEmpty());
        assertTrue(JobRefusal.of(403, null).isEmpty());
    }

    @Test
    void theWaitGrowsWithTheTimeWaitedFromTenSecondsToFiveMinutes() {
        assertEquals(Duration.ofSeconds(10), JobRefusal.backoff(null));
        assertEquals(Duration.ofSeconds(10), JobRefusal.backoff(Duration.ZERO));
        assertEquals(Duration.ofSeconds(40), JobRefusal.backoff(Duration.ofSeconds(40)));
        assertEquals(Duration.ofMinutes(5), JobRefusal.backoff(Duration.ofHours(2)));
    }
}
