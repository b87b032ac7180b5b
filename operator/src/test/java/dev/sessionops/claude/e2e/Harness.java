package dev.sessionops.claude.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.message.PromptConfigMap;
import dev.sessionops.claude.local.LocalKubelet;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * What the end-to-end tests share: one local kubelet per mock API server, a namespace per test, a credentials
 * Secret, and builders and waits for sessions and messages.
 */
public final class Harness {
    /** The fake credential: it must never show up anywhere but the Secret. */
    public static final String API_KEY = "sk-ant-test-" + UUID.randomUUID();
    public static final String SECRET = "anthropic";
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    /**
     * The test kubelets' longest SIGTERM → SIGKILL delay: a stopped claude ends its turn in about 1.3 s (measured);
     * a real kubelet gives the pod's 30 s, which tests of processes that ignore SIGTERM would wait out.
     */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static LocalKubelet kubelet;
    private static KubernetesServer kubeletServer;

    private Harness() {
    }

    /** Starts the kubelet once for the mock server of the running Quarkus application. */
    public static synchronized LocalKubelet kubelet(KubernetesServer server, KubernetesClient client) {
        if (kubelet == null || kubeletServer != server) {
            if (kubelet != null) {
                kubelet.close();
            }
            kubelet = LocalKubelet.start(server.getKubernetesMockServer(), client, LocalKubelet.Options.defaults().withPath(ClaudeBinary.directory())
                    .withKillGracePeriod(STOP_GRACE));
            kubeletServer = server;
        }
        return kubelet;
    }

    /** A fresh namespace with the credentials Secret in it. */
    public static String namespace(KubernetesClient client, String prefix) {
        String ns = prefix + "-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", API_KEY)).build()).create();
        return ns;
    }

    public static ClaudeSession session(KubernetesClient client, String ns, String name, Consumer<ClaudeSessionSpec> spec) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        s.setSpec(new ClaudeSessionSpec());
        s.getSpec().setCredentials(new Credentials(new NameRef(SECRET)));
        spec.accept(s.getSpec());
        return client.resource(s).create();
    }

    public static ClaudeMessage message(KubernetesClient client, String ns, String name, String session, String prompt,
            Consumer<ClaudeMessageSpec> spec) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        m.setSpec(new ClaudeMessageSpec());
        if (session != null) {
            m.getSpec().setSessionRef(new NameRef(session));
        }
        m.getSpec().setPrompt(prompt);
        spec.accept(m.getSpec());
        return client.resource(m).create();
    }

    public static ClaudeMessage message(KubernetesClient client, String ns, String name, String session, String prompt) {
        return message(client, ns, name, session, prompt, s -> {
        });
    }

    public static ClaudeMessage get(KubernetesClient client, String ns, String name) {
        return client.resources(ClaudeMessage.class).inNamespace(ns).withName(name).get();
    }

    /** The Redis keys of the session's conversation (named by its UID). */
    public static dev.sessionops.claude.history.ConversationKey conversation(KubernetesClient client, String ns, String session) {
        return dev.sessionops.claude.history.ConversationKey.of(getSession(client, ns, session));
    }

    /**
     * Sets the session's suspend as a user would with {@code kubectl patch --type=merge}: a merge patch carries no
     * resourceVersion, so the operator's own status writes in the meantime cannot make it a 409 (an {@code edit}
     * can).
     */
    public static ClaudeSession suspend(KubernetesClient client, String ns, String name, boolean suspend) {
        return client.resources(ClaudeSession.class).inNamespace(ns).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend + "}}");
    }

    /** Asks for the message's cancellation, as {@link #suspend} does. */
    public static ClaudeMessage cancel(KubernetesClient client, String ns, String name) {
        return client.resources(ClaudeMessage.class).inNamespace(ns).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cancel\":true}}");
    }

    public static ClaudeSession getSession(KubernetesClient client, String ns, String name) {
        return client.resources(ClaudeSession.class).inNamespace(ns).withName(name).get();
    }

    /** Waits until the message reaches the phase (failing fast if it ends in another terminal phase). */
    public static ClaudeMessage awaitPhase(KubernetesClient client, String ns, String name, MessagePhase phase) {
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            ClaudeMessage m = get(client, ns, name);
            MessagePhase p = m == null || m.getStatus() == null ? null : m.getStatus().getPhase();
            if (p != null && p.isTerminal() && p != phase) {
                throw new AssertionError(name + " ended " + p + " instead of " + phase + ": " + m.getStatus().getConditions());
            }
            return p == phase;
        });
        return get(client, ns, name);
    }

    /** Waits until the message's Succeeded condition carries this reason. */
    public static ClaudeMessage awaitReason(KubernetesClient client, String ns, String name, String reason) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            ClaudeMessage m = get(client, ns, name);
            return m != null && m.getStatus() != null && m.getStatus().getConditions() != null
                    && m.getStatus().getConditions().stream().anyMatch(c -> reason.equals(c.getReason()));
        });
        return get(client, ns, name);
    }

    public static String reason(ClaudeMessage m) {
        return m.getStatus().getConditions().stream().filter(c -> "Succeeded".equals(c.getType())).findFirst()
                .map(c -> c.getReason()).orElse(null);
    }

    public static String conditionMessage(ClaudeMessage m) {
        return m.getStatus().getConditions().stream().filter(c -> "Succeeded".equals(c.getType())).findFirst()
                .map(c -> c.getMessage()).orElse(null);
    }

    public static List<Event> events(KubernetesClient client, String ns, String involvedName) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    public static List<Job> jobs(KubernetesClient client, String ns) {
        return client.batch().v1().jobs().inNamespace(ns).list().getItems();
    }

    /** The prompt a run's CLI got on its stdin: the file of the prompt's ConfigMap, as the kubelet mounted it. */
    public static String promptOf(ContainerRun run) {
        java.nio.file.Path dir = run.mounts().get(PodLayout.PROMPT_DIR);
        if (dir == null) {
            throw new AssertionError("no prompt mounted in " + run);
        }
        try {
            return java.nio.file.Files.readString(dir.resolve(PromptConfigMap.KEY));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
