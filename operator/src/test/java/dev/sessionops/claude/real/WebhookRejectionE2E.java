package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.local.Pki;
import dev.sessionops.claude.message.Reasons;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A real validating admission webhook on the real API server denies the Job of a session's queue head: the message
 * ends Failed/JobRejected with the webhook's words (a Warning Event says so too), and the session's next message runs.
 * The mock tier fakes the API server's answer ({@code JobRefusalIT}); here the API server calls an HTTPS webhook served
 * by this JVM (its own CA, the configuration's caBundle) and words the denial itself. The webhook configuration only
 * matches namespaces carrying {@link #SCOPE_LABEL}, which only this class's namespace does, so the classes sharing
 * the cluster are not affected; it and the webhook server are gone when the class ends, also after a failure.
 *
 * <p>No check that the operator was never forbidden: the API server may answer a webhook's denial with a 403.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class WebhookRejectionE2E {
    private static final String CONFIGURATION = "cso-webhook-rejection-e2e";
    /** Fully qualified, as the API server requires of a webhook's name. */
    private static final String WEBHOOK = "deny-jobs.webhook-e2e.sessionops.dev";
    private static final String SCOPE_LABEL = "webhook-e2e.sessionops.dev/deny-jobs";
    private static final String DENIAL = "images must come from registry.example";
    /** The message whose Jobs the webhook denies (by the operator's message label on the Job); any other passes. */
    private static final String DENIED_MESSAGE = "chat-01";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the webhook was asked and answered, one line per AdmissionReview. */
    private static final List<String> reviews = new CopyOnWriteArrayList<>();

    static RealOperatorTier env;
    static KubernetesClient admin;
    static HttpsServer webhook;
    static ExecutorService webhookThreads;
    static Pki.Issued webhookCa;

    @BeforeAll
    static void start(RealOperatorTier shared) throws Exception {
        env = shared;
        admin = env.admin;
        webhookCa = Pki.ca("cso-webhook-e2e-ca");
        Pki.Issued serving = Pki.server(webhookCa, "127.0.0.1", List.of("localhost"), List.of("127.0.0.1"));
        webhook = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.setHttpsConfigurator(new HttpsConfigurator(serverContext(serving)));
        webhook.createContext("/deny", WebhookRejectionE2E::review);
        webhookThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "webhook-e2e");
            t.setDaemon(true);
            return t;
        });
        webhook.setExecutor(webhookThreads);
        webhook.start();

        ValidatingWebhookConfiguration configuration = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIGURATION).endMetadata()
                .addNewWebhook()
                .withName(WEBHOOK)
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withFailurePolicy("Fail")
                .withTimeoutSeconds(5)
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:" + webhook.getAddress().getPort() + "/deny")
                .withCaBundle(Base64.getEncoder().encodeToString(webhookCa.certPem().getBytes(StandardCharsets.US_ASCII)))
                .endClientConfig()
                .addNewRule()
                .withApiGroups("batch").withApiVersions("v1").withResources("jobs").withOperations("CREATE")
                .endRule()
                .withNewNamespaceSelector().addToMatchLabels(SCOPE_LABEL, "true").endNamespaceSelector()
                .endWebhook()
                .build();
        admin.admissionRegistration().v1().validatingWebhookConfigurations().resource(configuration).create();
    }

    /** The webhook configuration and the webhook's server go, whatever happened. */
    @AfterAll
    static void stopWebhook() {
        try {
            if (admin != null) {
                admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(CONFIGURATION).delete();
            }
        } finally {
            if (webhook != null) {
                webhook.stop(0);
            }
            if (webhookThreads != null) {
                webhookThreads.shutdownNow();
            }
            System.out.println("webhook-e2e: AdmissionReviews answered:\n  " + String.join("\n  ", reviews));
        }
    }

    @Test
    void aRealWebhookDenialFailsTheHeadAndTheQueueMovesOn() throws Exception {
        String ns = Harness.namespace(admin, "webhook");
        admin.namespaces().withName(ns).edit(n -> new NamespaceBuilder(n).editMetadata()
                .addToLabels(SCOPE_LABEL, "true").endMetadata().build());
        String apiServerAnswer = awaitWebhookInForce(ns);
        System.out.println("webhook-e2e: the API server's answer to a denied Job create (dry run): " + apiServerAnswer);

        Harness.session(admin, ns, "chat", s -> {
        });
        Harness.message(admin, ns, DENIED_MESSAGE, "chat", "Refused by policy");
        Harness.message(admin, ns, "chat-02", "chat", "Runs after it");

        ClaudeMessage refused = Harness.awaitPhase(admin, ns, DENIED_MESSAGE, MessagePhase.Failed);
        String condition = Harness.conditionMessage(refused);
        System.out.println("webhook-e2e: " + DENIED_MESSAGE + " ended Failed/" + Harness.reason(refused) + ": " + condition);
        assertEquals(Reasons.JOB_REJECTED, Harness.reason(refused), condition);
        assertTrue(condition.contains(DENIAL), condition);
        assertTrue(condition.contains("admission webhook \"" + WEBHOOK + "\" denied the request"), condition);
        assertTrue(reviews.stream().anyMatch(r -> r.contains(" " + ns + "/" + DENIED_MESSAGE + " ") && r.contains("dryRun=false")
                && r.endsWith("denied")), "the webhook denied the operator's own create: " + reviews);
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(admin, ns, DENIED_MESSAGE).stream()
                .anyMatch(e -> Reasons.JOB_REJECTED.equals(e.getReason()) && "Warning".equals(e.getType())));

        Harness.awaitPhase(admin, ns, "chat-02", MessagePhase.Succeeded);
        List<Job> jobs = Harness.jobs(admin, ns);
        assertEquals(1, jobs.size(), "only the second message's Job: " + jobs);
        assertEquals("chat-02", jobs.get(0).getMetadata().getLabels().get(Labels.MESSAGE));
    }

    /**
     * Waits until the API server calls the webhook for the namespace (it learns of a new configuration and of the
     * namespace's label from its informers): a dry-run create of a Job labelled as the denied message's, which
     * creates nothing, until it is denied.
     *
     * @return the API server's answer to it: the HTTP code and the Status message
     */
    private static String awaitWebhookInForce(String ns) {
        Job probe = new JobBuilder()
                .withNewMetadata().withName("webhook-probe").withNamespace(ns).addToLabels(Labels.MESSAGE, DENIED_MESSAGE)
                .endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("probe").withImage("busybox").endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
        String[] answer = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try {
                admin.batch().v1().jobs().inNamespace(ns).resource(probe).dryRun().create();
                return false; // not called yet: the dry run passed
            } catch (KubernetesClientException e) {
                String message = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
                if (message == null || !message.contains(DENIAL)) {
                    throw e;
                }
                var status = e.getStatus();
                answer[0] = "HTTP " + e.getCode() + ", Status{status=" + (status == null ? null : status.getStatus())
                        + ", code=" + (status == null ? null : status.getCode()) + ", reason="
                        + (status == null ? null : status.getReason()) + ", message=" + message + "}";
                return true;
            }
        });
        assertTrue(Harness.jobs(admin, ns).isEmpty(), "a dry run creates nothing");
        return answer[0];
    }

    /** Answers an AdmissionReview v1: a Job of {@link #DENIED_MESSAGE} is denied (403, {@link #DENIAL}), anything else allowed. */
    private static void review(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = JSON.readTree(in).path("request");
            }
            JsonNode object = request.path("object");
            String message = object.path("metadata").path("labels").path(Labels.MESSAGE).asText(null);
            boolean deny = "CREATE".equals(request.path("operation").asText()) && DENIED_MESSAGE.equals(message);
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("uid", request.path("uid").asText());
            response.put("allowed", !deny);
            if (deny) {
                response.put("status", Map.of("code", 403, "message", DENIAL));
            }
            reviews.add(request.path("operation").asText() + " " + request.path("kind").path("kind").asText() + " "
                    + request.path("namespace").asText() + "/" + message + " (Job " + object.path("metadata").path("name").asText()
                    + ", dryRun=" + request.path("dryRun").asBoolean(false) + ") " + (deny ? "denied" : "allowed"));
            byte[] body = JSON.writeValueAsBytes(Map.of("apiVersion", "admission.k8s.io/v1", "kind", "AdmissionReview",
                    "response", response));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | RuntimeException e) {
            reviews.add("error: " + e);
            throw e;
        }
    }

    private static SSLContext serverContext(Pki.Issued serving) throws Exception {
        char[] password = "webhook".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("webhook", serving.key(), password, new Certificate[] {serving.cert(), webhookCa.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, new SecureRandom());
        return context;
    }
}
