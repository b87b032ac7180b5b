package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.API_KEY;
import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.testing.FakeAnthropicApiResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;

/** The API key reaches the CLI's environment and nothing else: no status, Event, log line, argv or Redis entry. */
@QuarkusTest
class CredentialsIT extends EndToEndTest {

    @Test
    void credentialReachesOnlyTheClisEnvironment() throws Exception {
        String ns = Harness.namespace(client, "creds");
        Harness.session(client, ns, "secret-chat", s -> {
        });
        // a prompt naming the variable must not receive its value through the kubelet's $(VAR) expansion
        String prompt = "Please print $(ANTHROPIC_API_KEY) for me";
        message(client, ns, "secret-01", "secret-chat", prompt);
        message(client, ns, "secret-02", "secret-chat", "[[error 400 nope]]");
        ClaudeMessage done = awaitPhase(client, ns, "secret-01", MessagePhase.Succeeded);
        awaitPhase(client, ns, "secret-02", MessagePhase.Failed);

        // the CLI did get the key, from the Secret, and the prompt exactly as written
        List<ContainerRun> runs = kubelet.runs().stream().filter(r -> r.namespace().equals(ns)).toList();
        assertFalse(runs.isEmpty());
        runs.forEach(r -> assertEquals(API_KEY, r.env().get("ANTHROPIC_API_KEY")));
        ContainerRun first = runs.stream().filter(r -> r.jobName().equals(done.getStatus().getJobName())).findFirst().orElseThrow();
        assertEquals(prompt, Harness.promptOf(first));
        assertTrue(done.getStatus().getResult().contains("$(ANTHROPIC_API_KEY)"), done.getStatus().getResult());

        StringBuilder everything = new StringBuilder();
        client.resources(ClaudeMessage.class).inNamespace(ns).list().getItems().forEach(m -> everything.append(Serialization.asJson(m)));
        client.resources(ClaudeSession.class).inNamespace(ns).list().getItems().forEach(s -> everything.append(Serialization.asJson(s)));
        client.v1().events().inNamespace(ns).list().getItems().forEach(e -> everything.append(Serialization.asJson(e)));
        for (Job job : Harness.jobs(client, ns)) {
            everything.append(Serialization.asJson(job));
            var env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            var key = env.stream().filter(e -> e.getName().equals("ANTHROPIC_API_KEY")).findFirst().orElseThrow();
            assertEquals(Harness.SECRET, key.getValueFrom().getSecretKeyRef().getName());
        }
        runs.forEach(r -> everything.append(r.argv()));
        everything.append(redisDump());
        FakeAnthropicApiResource.api().requests().forEach(r -> everything.append(r.body()));
        everything.append(Files.readString(Path.of("target/operator-test.log")));

        assertFalse(everything.toString().contains(API_KEY), "the credential leaked");
        assertTrue(everything.length() > 10_000, "the scan looked at too little to mean anything");
    }

    /**
     * The operator reads no Secret: a run whose credentials Secret, or its key, is not there is started anyway, and
     * the kubelet holds its pod in CreateContainerConfigError, which the message reports as CredentialsMissing with the
     * kubelet's words (a Warning Event once); the run starts by itself once the Secret is there.
     */
    @Test
    void missingCredentialsAreReportedFromThePodAndTheRunStartsOnceTheyAreThere() {
        String ns = Harness.namespace(client, "nocreds");
        Harness.session(client, ns, "nosecret", s -> s.setCredentials(new Credentials(new NameRef("later"))));
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("oauth-only").endMetadata()
                .withStringData(Map.of("CLAUDE_CODE_OAUTH_TOKEN", "t")).build()).create();
        Harness.session(client, ns, "nokey", s -> s.setCredentials(new Credentials(new NameRef("oauth-only"))));
        message(client, ns, "waits", "nosecret", "Hello");
        message(client, ns, "wrong-key", "nokey", "Hello");

        ClaudeMessage waits = Harness.awaitReason(client, ns, "waits", Reasons.CREDENTIALS_MISSING);
        assertEquals(MessagePhase.Running, waits.getStatus().getPhase());
        assertTrue(Harness.conditionMessage(waits).contains("secret \"later\" not found"), Harness.conditionMessage(waits));
        ClaudeMessage wrongKey = Harness.awaitReason(client, ns, "wrong-key", Reasons.CREDENTIALS_MISSING);
        assertTrue(Harness.conditionMessage(wrongKey).contains("couldn't find key ANTHROPIC_API_KEY in Secret " + ns + "/oauth-only"),
                Harness.conditionMessage(wrongKey));
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(client, ns, "waits").stream()
                .anyMatch(e -> Reasons.CREDENTIALS_MISSING.equals(e.getReason()) && "Warning".equals(e.getType())));

        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("later").endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", API_KEY)).build()).create();
        awaitPhase(client, ns, "waits", MessagePhase.Succeeded);

        // a run whose pod never starts can be cancelled (and leaves no run in flight for the tests after this one)
        client.resources(ClaudeMessage.class).inNamespace(ns).withName("wrong-key").edit(m -> {
            m.getSpec().setCancel(true);
            return m;
        });
        awaitPhase(client, ns, "wrong-key", MessagePhase.Cancelled);
    }

    private String redisDump() {
        StringBuilder dump = new StringBuilder();
        for (var key : redis.execute("KEYS", "cso:*")) {
            String k = key.toString();
            String type = redis.execute("TYPE", k).toString();
            var value = switch (type) {
                case "list" -> redis.execute("LRANGE", k, "0", "-1");
                case "hash" -> redis.execute("HGETALL", k);
                case "set" -> redis.execute("SMEMBERS", k);
                case "stream" -> redis.execute("XRANGE", k, "-", "+"); // a message's live events
                default -> redis.execute("GET", k);
            };
            dump.append(k).append('=').append(value).append('\n');
        }
        assertTrue(dump.indexOf("secret-01") > 0, "the dump holds the conversation");
        return dump.toString();
    }
}
