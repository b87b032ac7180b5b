package dev.sessionops.claude.session;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.limits.NamespaceLimitsSource;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.message.FullMessages;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A {@link SessionDispatcher} on a Fabric8 mock API server, outside Quarkus, and the objects a dispatch reads. */
final class DispatchFixture {
    static final String SECRET = "anthropic";
    private final KubernetesClient client;
    final OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
    /** What the ClaudeMessage controller's cache would hold: every message made here, whole, as created. */
    private final Map<ResourceID, ClaudeMessage> created = new ConcurrentHashMap<>();
    final FullMessages fullMessages = new FullMessages();

    DispatchFixture(KubernetesClient client) {
        this.client = client;
        fullMessages.publish(id -> Optional.ofNullable(created.get(id)));
    }

    SessionDispatcher dispatcher() {
        NamespaceLimitsSource namespaces = new NamespaceLimitsSource(client);
        return dispatcher(new RunSlots(TestOperatorConfig.with(), namespaces), namespaces);
    }

    SessionDispatcher dispatcher(RunSlots slots) {
        return dispatcher(slots, new NamespaceLimitsSource(client));
    }

    private SessionDispatcher dispatcher(RunSlots slots, NamespaceLimitsSource namespaces) {
        OperatorConfig config = TestOperatorConfig.with();
        // Redis is not the API server: a conversation without a Claude session yet
        HistoryStore history = new HistoryStore(null, new ObjectMapper(), metrics, config.history().maxEntries()) {
            @Override
            public Optional<String> currentSessionId(ConversationKey key) {
                return Optional.empty();
            }

            @Override
            public NextTurn nextTurn(ConversationKey key, String messageUid) {
                return new NextTurn(false, null);
            }
        };
        return new SessionDispatcher(new RunPlanner(client, config, namespaces), fullMessages, history,
                new EventRecorder(client), metrics, config.pendingTimeout(), slots);
    }

    void secret(String ns) {
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", "sk-test")).build()).create();
    }

    ClaudeSession session(String ns, String name) {
        ClaudeSession session = new ClaudeSession();
        session.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        session.setSpec(new ClaudeSessionSpec());
        session.getSpec().setCredentials(new Credentials(new NameRef(SECRET)));
        return client.resource(session).create();
    }

    ClaudeMessage message(String ns, String name, String session, Consumer<ClaudeMessageSpec> spec) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setPrompt("Hello " + name);
        if (session != null) {
            m.getSpec().setSessionRef(new NameRef(session));
        }
        spec.accept(m.getSpec());
        ClaudeMessage stored = client.resource(m).create();
        created.put(ResourceID.fromResource(stored), client.getKubernetesSerialization().clone(stored));
        return stored;
    }

    /** The session controller's copy of {@code message}: its cache drops the prompt and the variables. */
    ClaudeMessage cached(ClaudeMessage message) {
        return PromptlessMessages.strip(client.getKubernetesSerialization().clone(message));
    }
}
