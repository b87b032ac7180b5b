package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sessionops.claude.admission.AdmissionRoute;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import dev.sessionops.claude.api.v1alpha1.Workspace;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.limits.NamespaceLimits;
import dev.sessionops.claude.testing.TestPki;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The operator's validating admission webhook on the real API server, which calls it with the requesting user's
 * userInfo: a user with create rights on our two kinds and nothing else cannot make the operator read a Secret, a
 * ConfigMap, a PersistentVolumeClaim or a ServiceAccount on their behalf (refused, naming the object); with
 * {@code get} on it the same object is admitted. The operator's policy is enforced at admission too (image,
 * permission mode, budget ceiling), and a message cannot raise its session's limits. Updates that leave the spec
 * alone (labels, finalizers) pass even when the author's rights are gone.
 *
 * <p>The webhook is served by a replica of its own with a policy (it does not lead: the tier's leader keeps
 * reconciling), called by URL on 127.0.0.1, and scoped by a namespace label that only this class's namespace carries,
 * so the classes sharing the cluster are not affected. Sessions are suspended, so nothing here runs. The replica and
 * the configuration are gone when the class ends, also after a failure.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class AdmissionWebhookE2E {
    private static final String CONFIGURATION = "cso-admission-e2e";
    private static final String WEBHOOK = "validate.admission-e2e.sessionops.dev";
    private static final String SCOPE_LABEL = "admission-e2e.sessionops.dev/scope";
    private static final String USER = "alice";

    static RealOperatorTier env;
    static KubernetesClient admin;
    static OperatorProcess webhookReplica;
    static KubernetesClient alice;
    static String ns;

    @BeforeAll
    static void start(RealOperatorTier shared) {
        env = shared;
        admin = env.admin;
        webhookReplica = env.startOperator("admission", Map.of(
                "cso.policy.allowed-images", "ghcr.io/sessionops/",
                "cso.policy.allowed-service-accounts", "agent",
                "cso.policy.denied-permission-modes", "bypassPermissions",
                "cso.policy.max-budget-usd", "5"));
        env.retire(webhookReplica); // not the tier's to check: it is stopped below

        ns = Harness.namespace(admin, "admission");
        admin.namespaces().withName(ns).edit(n -> new NamespaceBuilder(n).editMetadata()
                .addToLabels(SCOPE_LABEL, "true").endMetadata().build());
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName(USER)
                .endMetadata().build()).create();
        role("create-ours", new PolicyRuleBuilder().withApiGroups(ClaudeSession.GROUP)
                .withResources("claudesessions", "claudemessages").withVerbs("create", "get", "list", "update", "patch")
                .build());
        alice = env.cluster.newClient(env.cluster.serviceAccountToken(ns, USER));

        admin.admissionRegistration().v1().validatingWebhookConfigurations().resource(new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIGURATION).endMetadata()
                .addNewWebhook()
                .withName(WEBHOOK)
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withFailurePolicy("Fail")
                .withTimeoutSeconds(10)
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:" + webhookReplica.httpsPort() + AdmissionRoute.PATH)
                .withCaBundle(Base64.getEncoder().encodeToString(TestPki.SERVING_CA.certPem().getBytes(StandardCharsets.US_ASCII)))
                .endClientConfig()
                .addNewRule()
                .withApiGroups(ClaudeSession.GROUP).withApiVersions("v1alpha1")
                .withResources("claudesessions", "claudemessages").withOperations("CREATE", "UPDATE")
                .endRule()
                .withNewNamespaceSelector().addToMatchLabels(SCOPE_LABEL, "true").endNamespaceSelector()
                .endWebhook()
                .build()).create();
        awaitWebhookInForce();
    }

    @AfterAll
    static void stop() {
        try {
            if (admin != null) {
                admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(CONFIGURATION).delete();
            }
            if (alice != null) {
                alice.close();
            }
        } finally {
            if (webhookReplica != null) {
                System.out.println("admission-e2e: the webhook replica's refusals:\n"
                        + webhookReplica.log().lines().filter(l -> l.contains("admission: refused"))
                                .reduce("", (a, b) -> a + "  " + b + "\n"));
                webhookReplica.close();
            }
        }
    }

    @Test
    void aReferenceTheUserCannotReadIsRefusedNamingItAndAdmittedOnceTheyMay() {
        EnvVar fromSecret = new EnvVarBuilder().withName("DB_TOKEN").withNewValueFrom()
                .withNewSecretKeyRef("token", "db-token", false).endValueFrom().build();
        Map<String, Consumer<ClaudeSessionSpec>> sessions = Map.of(
                "secret \"db-token\"", s -> s.setEnv(List.of(fromSecret)),
                "configmap \"mcp\"", s -> s.setMcpConfig(new KeyRef("mcp", "servers.json")),
                "persistentvolumeclaim \"work\"", s -> s.setWorkspace(claim("work")),
                "serviceaccount \"agent\"", s -> s.setServiceAccountName("agent"));
        int i = 0;
        for (var e : sessions.entrySet()) {
            String name = "refs-" + i++;
            String refused = refusal(() -> session(alice, name, e.getValue()));
            String expected = e.getKey().replace("secret ", "secrets ").replace("configmap ", "configmaps ")
                    .replace("persistentvolumeclaim ", "persistentvolumeclaims ").replace("serviceaccount ", "serviceaccounts ");
            assertTrue(refused.contains("admission webhook \"" + WEBHOOK + "\" denied the request"), refused);
            assertTrue(refused.contains("cannot get " + expected), e.getKey() + ": " + refused);
            assertTrue(refused.contains(ns), refused);
        }
        // the Secret Harness.namespace made (the session's credentials): alice may not read it either
        assertTrue(refusal(() -> session(alice, "creds", s -> {
        })).contains("cannot get secrets \"" + Harness.SECRET + "\" (spec.credentials.secretRef)"));

        role("read-refs", new PolicyRuleBuilder().withApiGroups("").withVerbs("get")
                .withResources("secrets", "configmaps", "persistentvolumeclaims", "serviceaccounts")
                .withResourceNames("db-token", "mcp", "work", "agent", Harness.SECRET).build());
        i = 0;
        for (var e : sessions.entrySet()) {
            String name = "refs-" + i++;
            awaitAdmitted(() -> session(alice, name, e.getValue()));
        }
        // the cluster admin reads everything: admitted without a grant
        session(admin, "admins", s -> s.setEnv(List.of(new EnvVarBuilder(fromSecret).withNewValueFrom()
                .withNewSecretKeyRef("token", "other-secret", false).endValueFrom().build())));
    }

    @Test
    void thePolicyIsEnforcedAtAdmission() {
        role("read-creds", new PolicyRuleBuilder().withApiGroups("").withVerbs("get").withResources("secrets")
                .withResourceNames(Harness.SECRET).build());
        String image = awaitRefusal(() -> session(alice, "foreign-image", s -> s.setImage("docker.io/evil/claude:1")));
        assertTrue(image.contains("PolicyViolation: image docker.io/evil/claude:1 is not one the policy allows"), image);
        String bypass = refusal(() -> session(alice, "bypass", s -> s.setPermissionMode("bypassPermissions")));
        assertTrue(bypass.contains("permissionMode bypassPermissions is denied by the policy"), bypass);
        String budget = refusal(() -> session(alice, "rich", s -> s.setMaxBudgetUsd(50.0)));
        assertTrue(budget.contains("maxBudgetUsd 50.0 is above the policy's 5.0"), budget);
        String envName = refusal(() -> session(alice, "redirect", s -> s.setEnv(List.of(new EnvVar("NODE_OPTIONS",
                "--require /tmp/x.js", null)))));
        assertTrue(envName.contains("EnvNotAllowed") && envName.contains("NODE_OPTIONS"), envName);

        // within the policy: admitted; a message may lower its session's limits but not raise them
        session(alice, "capped", s -> s.setMaxBudgetUsd(2.0));
        String above = refusal(() -> message(alice, "above-session", "capped", m -> m.setMaxBudgetUsd(3.0)));
        assertTrue(above.contains("maxBudgetUsd 3.0 is above its session's 2.0"), above);
        String abovePolicy = refusal(() -> message(alice, "above-policy", "capped", m -> m.setMaxBudgetUsd(10.0)));
        assertTrue(abovePolicy.contains("above the policy's 5.0"), abovePolicy);
        String escalate = refusal(() -> message(alice, "escalate", "capped", m -> m.setPermissionMode("bypassPermissions")));
        assertTrue(escalate.contains("permissionMode bypassPermissions"), escalate);
        assertNotNull(message(alice, "within", "capped", m -> m.setMaxBudgetUsd(1.0)));

        // a prompt file the user cannot read is a reference like any other
        String prompt = refusal(() -> message(alice, "from-file", "capped", m -> {
            m.setPrompt(null);
            m.setPromptFrom(new PromptSource(new KeyRef("team-prompts", "review.md")));
        }));
        assertTrue(prompt.contains("cannot get configmaps \"team-prompts\" (spec.promptFrom.configMapKeyRef)"), prompt);
    }

    @Test
    void anUpdateThatLeavesTheSpecAlonePassesAndOneThatAddsAReferenceIsReviewed() {
        role("read-creds-2", new PolicyRuleBuilder().withApiGroups("").withVerbs("get").withResources("secrets")
                .withResourceNames(Harness.SECRET).build());
        awaitAdmitted(() -> session(alice, "edited", s -> {
        }));
        // merge patches, without a resourceVersion: the leader writes the session's status and finalizer meanwhile
        ClaudeSession labelled = alice.resources(ClaudeSession.class).inNamespace(ns).withName("edited")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"team\":\"blue\"}}}");
        assertEquals("blue", labelled.getMetadata().getLabels().get("team"));
        String refused = refusal(() -> alice.resources(ClaudeSession.class).inNamespace(ns).withName("edited")
                .patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"mcpConfig\":{\"name\":\"someone-elses\",\"key\":\"mcp.json\"}}}"));
        assertTrue(refused.contains("cannot get configmaps \"someone-elses\" (spec.mcpConfig)"), refused);
    }

    /** A namespace's own limit (an annotation only the platform team can write) is enforced at admission too. */
    @Test
    void aNamespacesAnnotatedLimitIsEnforcedAtAdmission() {
        String team = Harness.namespace(admin, "admission-limited");
        admin.namespaces().withName(team).edit(n -> new NamespaceBuilder(n).editMetadata().addToLabels(SCOPE_LABEL, "true")
                .addToAnnotations(NamespaceLimits.MAX_BUDGET_USD, "1").endMetadata().build());
        admin.rbac().roles().inNamespace(team).resource(new RoleBuilder().withNewMetadata().withName("alice").endMetadata()
                .addNewRule().withApiGroups(ClaudeSession.GROUP).withResources("claudesessions").withVerbs("create").endRule()
                .addNewRule().withApiGroups("").withResources("secrets").withResourceNames(Harness.SECRET).withVerbs("get")
                .endRule().build()).create();
        admin.rbac().roleBindings().inNamespace(team).resource(new RoleBindingBuilder().withNewMetadata().withName("alice")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "alice")
                .addNewSubject().withKind("ServiceAccount").withName(USER).withNamespace(ns).endSubject().build()).create();

        String refused = awaitRefusal(() -> alice.resource(suspended(team, "rich", s -> s.setMaxBudgetUsd(2.0))).create());
        assertTrue(refused.contains("maxBudgetUsd 2.0 is above the policy's 1.0"), refused);
        awaitAdmitted(() -> alice.resource(suspended(team, "frugal", s -> s.setMaxBudgetUsd(0.5))).create());
    }

    private static ClaudeSession suspended(String namespace, String name, Consumer<ClaudeSessionSpec> spec) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        s.setSpec(new ClaudeSessionSpec());
        s.getSpec().setSuspend(true);
        s.getSpec().setCredentials(new dev.sessionops.claude.api.v1alpha1.Credentials(new NameRef(Harness.SECRET)));
        spec.accept(s.getSpec());
        return s;
    }

    private static Workspace claim(String name) {
        Workspace w = new Workspace();
        VolumeClaimWorkspace c = new VolumeClaimWorkspace();
        c.setClaimName(name);
        w.setVolumeClaim(c);
        return w;
    }

    private static ClaudeSession session(KubernetesClient as, String name, Consumer<ClaudeSessionSpec> spec) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).addToLabels("e2e", "admission").build());
        s.setSpec(new ClaudeSessionSpec());
        s.getSpec().setSuspend(true); // nothing here runs
        s.getSpec().setCredentials(new dev.sessionops.claude.api.v1alpha1.Credentials(new NameRef(Harness.SECRET)));
        spec.accept(s.getSpec());
        return as.resource(s).create();
    }

    private static ClaudeMessage message(KubernetesClient as, String name, String session, Consumer<ClaudeMessageSpec> spec) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setSessionRef(new NameRef(session));
        m.getSpec().setPrompt("hello");
        spec.accept(m.getSpec());
        return as.resource(m).create();
    }

    private static void role(String name, io.fabric8.kubernetes.api.model.rbac.PolicyRule rule) {
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(name).endMetadata()
                .withRules(rule).build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject().withKind("ServiceAccount").withName(USER).withNamespace(ns).endSubject().build()).create();
    }

    /** The API server's refusal of {@code create}, as its Status message. */
    private static String refusal(Runnable create) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, create::run);
        assertEquals(403, e.getCode(), e.getMessage());
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /** A refusal, once the API server's informers have the configuration (and the user's new Role). */
    private static String awaitRefusal(Runnable create) {
        String[] message = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> (message[0] = refusal(create)) != null);
        return message[0];
    }

    /**
     * Admitted, once the API server's RBAC informers have the user's new Role (SubjectAccessReviews are answered from
     * them) and the webhook's 10 s decision cache has let the old answer go.
     */
    private static void awaitAdmitted(Runnable create) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                create.run();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 403 && e.getMessage().contains("denied the request")) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** The API server calls the webhook for the namespace once its informers have the configuration and the label. */
    private static void awaitWebhookInForce() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try {
                session(alice, "probe", s -> s.setImage("docker.io/probe/never:1"));
                alice.resources(ClaudeSession.class).inNamespace(ns).withName("probe").delete();
                return false;
            } catch (KubernetesClientException e) {
                return e.getCode() == 403 && e.getMessage().contains("denied the request");
            }
        });
    }
}
