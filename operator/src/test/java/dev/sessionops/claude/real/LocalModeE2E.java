package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.testing.Kubectl;
import dev.sessionops.claude.testing.Project;
import dev.sessionops.claude.testing.StandaloneRedis;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Local mode as a user starts it ({@code java -jar claude-session-local.jar}, which starts the packaged operator as its child): an embedded
 * Kubernetes API with a kubeconfig, Jobs run as local processes with the real claude CLI (against the fake API), and
 * a redis-server it starts itself; a two-message session, then a restart keeps sessions, messages and history.
 */
class LocalModeE2E {
    private static final Pattern READY = Pattern.compile("Local mode: Kubernetes API (\\S+) .*Redis (redis://[^\\s,]+)");
    private static final Pattern OPERATOR_API = Pattern.compile("operator API https://127\\.0\\.0\\.1:(\\d+)");
    static FakeAnthropicApi api;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeAnthropicApi().start();
        home = Files.createTempDirectory("cso-local-home");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void twoMessageSessionThenRestartKeepsEverything() throws Exception {
        String firstResult;
        String sessionId;
        String demoUid;
        String created;
        String otherSessionId;
        long firstVersion;
        try (OperatorProcess operator = startLocal("local-1")) {
            String[] endpoints = awaitReady(operator);
            try (KubernetesClient client = clientFor(home.resolve("kubeconfig"))) {
                assertEquals(endpoints[0], client.getConfiguration().getMasterUrl().replaceAll("/$", ""));
                // discovery, which kubectl reads first, names our resources and their short names
                var resources = client.getApiResources("claude.sessionops.dev/v1alpha1").getResources();
                assertTrue(resources.stream().anyMatch(r -> r.getName().equals("claudesessions") && r.getShortNames().contains("csess")));
                assertTrue(client.getApiGroups().getGroups().stream().anyMatch(g -> g.getName().equals("claude.sessionops.dev")));
                // the README's quick start: kubectl claude against the local kubeconfig and API
                CliRun run1 = cli(endpoints, "run", "Hello from local mode", "--new-session", "demo", "--name", "demo-01", "--follow");
                assertEquals(0, run1.exit(), run1.out());
                assertTrue(run1.out().contains("Received 1 messages"), "the reply is printed as it arrives: " + run1.out());
                ClaudeMessage first = Harness.awaitPhase(client, "default", "demo-01", MessagePhase.Succeeded);

                // plain kubectl, as against a cluster (the front speaks HTTPS: kubectl sends a token over nothing else)
                Path kubeconfig = home.resolve("kubeconfig");
                Kubectl.Result table = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "get", "cmsg");
                assertTrue(table.stdout().matches("(?s)NAME\\s+AGE\\s+SESSION\\s+COST\\s+PHASE\\s*\n"
                        + "demo-01\\s+\\S+\\s+demo\\s+\\S+\\s+Succeeded\\s*"), "the CRD's printer columns: " + table);
                Kubectl.Result described = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "describe", "cmsg", "demo-01");
                assertTrue(described.stdout().matches("(?s).*\nEvents:\\s+Type\\s+Reason.*Normal\\s+Succeeded\\s.*"),
                        "the message's Events: " + described);
                // apply validates against the CRD's schema, as a cluster's API server does; explain reads it
                Path manifest = home.resolve("bad-session.yaml");
                Files.writeString(manifest, """
                        apiVersion: claude.sessionops.dev/v1alpha1
                        kind: ClaudeSession
                        metadata: {name: bad}
                        spec: {permisionMode: plan}
                        """);
                Kubectl.Result unknown = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "apply", "-f", manifest.toString());
                assertTrue(unknown.exitCode() != 0 && unknown.stderr().contains("strict decoding error: unknown field \"spec.permisionMode\""),
                        unknown.toString());
                Files.writeString(manifest, Files.readString(manifest).replace("permisionMode: plan", "permissionMode: yolo"));
                Kubectl.Result invalid = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "apply", "-f", manifest.toString());
                assertTrue(invalid.exitCode() != 0 && invalid.stderr().contains("The ClaudeSession \"bad\" is invalid")
                        && invalid.stderr().contains("spec.permissionMode"), invalid.toString());
                Files.writeString(manifest, Files.readString(manifest).replace("permissionMode: yolo", "permissionMode: plan"));
                Kubectl.Result dryRun = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "apply", "--dry-run=server", "-f",
                        manifest.toString());
                assertEquals(0, dryRun.exitCode(), dryRun.toString());
                assertNull(Harness.getSession(client, "default", "bad"), "a dry run stores nothing");
                Kubectl.Result explained = Kubectl.run(kubeconfig, Duration.ofSeconds(30), "explain", "csess.spec.onFailure");
                assertTrue(explained.exitCode() == 0 && explained.stdout().contains("FIELD: onFailure <string>"), explained.toString());

                Process watch = new ProcessBuilder("kubectl", "--kubeconfig=" + kubeconfig, "get", "csess", "-w")
                        .redirectErrorStream(true).redirectOutput(home.resolve("watch.out").toFile()).start();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(home.resolve("watch.out")).contains("demo"));
                    Thread.sleep(2000); // what a replay of the listed objects would have printed by now
                    assertEquals(2, Files.readAllLines(home.resolve("watch.out")).size(),
                            "the header and the listed session, once: " + Files.readString(home.resolve("watch.out")));
                    CliRun run2 = cli(endpoints, "run", "And again", "--session", "demo", "--name", "demo-02");
                    assertEquals(0, run2.exit(), run2.out());
                    Kubectl.Result waited = Kubectl.run(kubeconfig, Duration.ofSeconds(90), "wait", "--for=condition=Succeeded",
                            "cmsg/demo-02", "--timeout=80s");
                    Instant returned = Instant.now();
                    assertEquals(0, waited.exitCode(), waited.toString());
                    assertEquals("claudemessage.claude.sessionops.dev/demo-02 condition met", waited.stdout().strip());
                    assertEquals("", waited.stderr(), "no failed watches");
                    Instant met = Instant.parse(Harness.get(client, "default", "demo-02").getStatus().getConditions().stream()
                            .filter(c -> c.getType().equals("Succeeded")).findFirst().orElseThrow().getLastTransitionTime());
                    // the condition's time has whole seconds: up to 1 s of the 3 is rounding
                    assertTrue(Duration.between(met, returned).compareTo(Duration.ofSeconds(3)) < 0,
                            "kubectl wait returned at " + returned + ", the condition was met at " + met);
                    CliRun logs2 = cli(endpoints, "logs", "demo-02");
                    assertTrue(logs2.out().contains("Received 3 messages"), logs2.out());
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        String watched = Files.readString(home.resolve("watch.out"));
                        assertTrue(watched.matches("(?s)NAME\\s+AGE\\s+SESSION ID\\s+LAST ACTIVE\\s+MESSAGES\\s+PHASE\\s*\n"
                                + "demo\\s.*\\sIdle\\s*\n(.*\n)*demo\\s.*\\sRunning\\s*\n(.*\n)*demo\\s.*\\s2\\s+Idle\\s*\n.*"),
                                "kubectl get -w: the listed session once, then its changes\n" + watched);
                    });
                } finally {
                    watch.destroy();
                    if (!watch.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        watch.destroyForcibly();
                    }
                }
                ClaudeMessage second = Harness.awaitPhase(client, "default", "demo-02", MessagePhase.Succeeded);
                firstResult = first.getStatus().getResult();
                firstVersion = Long.parseLong(Harness.get(client, "default", "demo-01").getMetadata().getResourceVersion());
                sessionId = first.getStatus().getSessionId();
                ClaudeSession demo = Harness.getSession(client, "default", "demo");
                demoUid = demo.getMetadata().getUid();
                created = demo.getMetadata().getCreationTimestamp();
                assertTrue(firstResult.startsWith("Received 1 messages"), firstResult);
                assertEquals(sessionId, second.getStatus().getResumedFrom());
                assertTrue(second.getStatus().getResult().startsWith("Received 3 messages"), second.getStatus().getResult());
                // the request kubectl describe makes for an object's Events, through the front: only demo-01's
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    var events = client.v1().events().inNamespace("default").withField("involvedObject.name", "demo-01")
                            .withField("involvedObject.namespace", "default").withField("involvedObject.kind", "ClaudeMessage")
                            .withField("involvedObject.uid", first.getMetadata().getUid()).list().getItems();
                    assertTrue(events.stream().anyMatch(e -> "Succeeded".equals(e.getReason())), events.toString());
                    assertTrue(events.stream().allMatch(e -> "demo-01".equals(e.getInvolvedObject().getName())));
                });
                // a session in a namespace of its own gets the credentials Secret there too
                CliRun other = cli(endpoints, "-n", "team-x", "run", "From another namespace", "--new-session", "other",
                        "--name", "other-01", "--follow");
                assertEquals(0, other.exit(), other.out());
                assertTrue(other.out().contains("Received 1 messages"), other.out());
                // a run still under way when local mode stops runs again after the next start
                CliRun inFlight = cli(endpoints, "-n", "team-x", "run", "[[sleep 15000]] Interrupted by a restart",
                        "--session", "other", "--name", "other-02");
                assertEquals(0, inFlight.exit(), inFlight.out());
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    ClaudeMessage m = Harness.get(client, "team-x", "other-02");
                    return m.getStatus() != null && m.getStatus().getPhase() == MessagePhase.Running;
                });
                otherSessionId = Harness.get(client, "team-x", "other-01").getStatus().getSessionId();
                // two more queued behind it, named against their order: the queue runs in creation order
                assertEquals(0, cli(endpoints, "-n", "team-x", "run", "Queued first", "--session", "other", "--name", "other-zz").exit());
                assertEquals(0, cli(endpoints, "-n", "team-x", "run", "Queued second", "--session", "other", "--name", "other-aa").exit());
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.get(client, "team-x", "other-aa").getStatus() != null
                        && Harness.get(client, "team-x", "other-aa").getStatus().getPhase() == MessagePhase.Queued);
                // the credential came from the environment and went only where the operator puts it: a Secret
                var secret = client.secrets().inNamespace("default").withName("anthropic").get();
                assertTrue((secret.getData() != null && secret.getData().containsKey("ANTHROPIC_API_KEY"))
                        || (secret.getStringData() != null && secret.getStringData().containsKey("ANTHROPIC_API_KEY")));
            }
            assertEquals(4, history(endpoints[1], demoUid).size());
            // the operator's API through the kubeconfig's server, as kubectl get --raw would reach it
            HttpResponse<String> page = viaFront(home, "/apis/api.claude.sessionops.dev/v1alpha1/namespaces/default/sessions/demo/history");
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().replace(" ", "").contains("\"total\":4"), page.body());
        }
        assertFalse(Files.readString(home.resolve("objects.json")).contains("sk-ant-local"), "no credential on disk");

        try (OperatorProcess operator = startLocal("local-2")) {
            String[] endpoints = awaitReady(operator);
            try (KubernetesClient client = clientFor(home.resolve("kubeconfig"))) {
                ClaudeMessage first = Harness.get(client, "default", "demo-01");
                assertEquals(MessagePhase.Succeeded, first.getStatus().getPhase());
                assertTrue(Long.parseLong(first.getMetadata().getResourceVersion()) > firstVersion,
                        "resource versions never go back across a restart");
                // the run the stop interrupted ran again, resuming the last good turn, and was never JobDeleted
                ClaudeMessage resumed = Harness.awaitPhase(client, "team-x", "other-02", MessagePhase.Succeeded);
                assertEquals(otherSessionId, resumed.getStatus().getResumedFrom());
                assertTrue(resumed.getStatus().getResult().startsWith("Received 3 messages"), resumed.getStatus().getResult());
                ClaudeMessage queuedFirst = Harness.awaitPhase(client, "team-x", "other-zz", MessagePhase.Succeeded);
                ClaudeMessage queuedSecond = Harness.awaitPhase(client, "team-x", "other-aa", MessagePhase.Succeeded);
                assertTrue(queuedFirst.getStatus().getResult().startsWith("Received 5 messages"), queuedFirst.getStatus().getResult());
                assertTrue(queuedSecond.getStatus().getResult().startsWith("Received 7 messages"), queuedSecond.getStatus().getResult());
                var other = Harness.getSession(client, "team-x", "other").getStatus();
                assertFalse(Instant.parse(other.getCreated()).isAfter(Instant.parse(other.getLastActive())),
                        "created " + other.getCreated() + " ≤ lastActive " + other.getLastActive());
                assertEquals(firstResult, first.getStatus().getResult());
                ClaudeSession session = Harness.getSession(client, "default", "demo");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertEquals(2, Harness.getSession(client, "default", "demo").getStatus().getMessageCount()));
                assertEquals(sessionId, session.getStatus().getCurrentSessionId());
                assertEquals(demoUid, session.getMetadata().getUid(), "a restart keeps the session's identity");
                assertEquals(created, session.getMetadata().getCreationTimestamp(), "and its creation time");
                List<HistoryEntry> entries = history(endpoints[1], demoUid);
                assertEquals(4, entries.size());
                assertEquals("Hello from local mode", entries.get(0).content());
                // and the conversation goes on where it was: the CLI's state survived on disk
                CliRun history = cli(endpoints, "session", "history", "demo", "-o", "json");
                assertEquals(0, history.exit(), history.out());
                assertTrue(history.out().contains("\"total\" : 4") || history.out().contains("\"total\":4"), history.out());
                assertTrue(history.out().contains("Hello from local mode"), history.out());
                CliRun run3 = cli(endpoints, "run", "Still there?", "--session", "demo", "--name", "demo-03", "--follow");
                assertEquals(0, run3.exit(), run3.out());
                ClaudeMessage third = Harness.awaitPhase(client, "default", "demo-03", MessagePhase.Succeeded);
                assertEquals(sessionId, third.getStatus().getResumedFrom());
                assertTrue(third.getStatus().getResult().startsWith("Received 5 messages"), third.getStatus().getResult());

                // deleting the session takes everything of it (the embedded API's garbage collector), and a new
                // session of the same name starts a conversation of its own
                Path claimDir = home.resolve("volumes/claims/default").resolve(JobNames.stateClaim("demo"));
                assertTrue(Files.exists(claimDir), claimDir.toString());
                CliRun removed = cli(endpoints, "session", "remove", "demo");
                assertEquals(0, removed.exit(), removed.out());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertNull(Harness.getSession(client, "default", "demo"));
                    assertTrue(client.resources(ClaudeMessage.class).inNamespace("default").list().getItems().isEmpty());
                    assertTrue(client.batch().v1().jobs().inNamespace("default").list().getItems().isEmpty());
                    assertTrue(client.persistentVolumeClaims().inNamespace("default").list().getItems().isEmpty());
                    assertFalse(Files.exists(claimDir), "the state volume's folder");
                });
                assertTrue(history(endpoints[1], demoUid).isEmpty(), "its history");
                CliRun again = cli(endpoints, "run", "Who are you?", "--new-session", "demo", "--name", "demo-new",
                        "--follow");
                assertEquals(0, again.exit(), again.out());
                ClaudeMessage fresh = Harness.get(client, "default", "demo-new");
                assertNull(fresh.getStatus().getResumedFrom(), "a new conversation");
                assertTrue(fresh.getStatus().getResult().startsWith("Received 1 messages"), fresh.getStatus().getResult());
                assertFalse(operator.log().contains("NullPointerException"), operator.log());
            }
        }
    }

    /** The README's run command starts what is built, without building again when nothing changed. */
    @Test
    void theRunScriptDoesNotRebuildAnUnchangedCheckout() throws Exception {
        Process p = new ProcessBuilder(Project.path("scripts", "local-mode").toString(), "--help").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("building"), "nothing changed since the build: " + out);
        assertTrue(out.contains("--port N") && out.contains("--home DIR"), out);
    }

    /** Without the claude CLI on PATH local mode starts nothing and says so in one line (and what to do). */
    @Test
    void aMissingPrerequisiteIsNamedAndNothingStarts() throws Exception {
        Path bare = Files.createTempDirectory("cso-local-bare");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CSO_LOCAL_HOME", bare.toString());
        env.put("PATH", "/usr/bin:/bin"); // redis-server, no claude
        env.put("ANTHROPIC_API_KEY", "sk-ant-local");
        try (OperatorProcess local = OperatorProcess.local("local-bare", Path.of("target/local-mode"), env)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !local.isAlive());
            assertEquals(1, local.exitCode(), local.log());
            assertTrue(local.log().contains("claude-session-local: claude is not on PATH"), local.log());
            assertFalse(local.log().contains("Local mode: Kubernetes API"), "nothing started");
        } finally {
            deleteRecursively(bare);
        }
    }

    /**
     * What a container's own processes (the agent's Bash tool) could reach is closed: every socket on 127.0.0.1, the
     * API (front and embedded) only with the token and a loopback Host, a Job not made by the operator never runs,
     * no container runs as root, and the home's files are the owner's only.
     */
    @Test
    void lockedDown() throws Exception {
        Path lockedHome = Files.createTempDirectory("cso-local-locked");
        Path marker = Files.createTempDirectory("cso-rogue");
        Files.setPosixFilePermissions(marker, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        int fixedPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            fixedPort = free.getLocalPort();
        }
        // the flags, not the environment: --home and --port
        try (OperatorProcess operator = OperatorProcess.local("local-locked", Path.of("target/local-mode"),
                localEnv(new LinkedHashMap<>()), "--home", lockedHome.toString(), "--port", String.valueOf(fixedPort))) {
            String[] endpoints = awaitReady(operator);
            Path kubeconfig = lockedHome.resolve("kubeconfig");
            int frontPort = URI.create(serverOf(kubeconfig)).getPort();
            assertEquals(fixedPort, frontPort, "the kubeconfig names the port asked for");
            int internalPort = URI.create(serverOf(lockedHome.resolve("operator-kubeconfig"))).getPort();
            String token = tokenOf(kubeconfig);
            assertEquals(token, tokenOf(lockedHome.resolve("operator-kubeconfig")));
            assertEquals(43, token.length(), "32 random bytes, base64url");
            assertFalse(operator.log().contains(token), "the token is never logged");
            assertEquals(-1, operator.log().indexOf(Files.readString(lockedHome.resolve("redis/redis.conf")).strip()
                    .replaceFirst("^requirepass ", "")), "nor the Redis password");

            // every listening socket of local mode (the JVM and its redis-server) is on 127.0.0.1
            Map<Integer, String> listening = listeningSockets(operator.pid());
            assertTrue(listening.keySet().containsAll(List.of(frontPort, internalPort, URI.create(endpoints[1]).getPort())),
                    listening.toString());
            assertTrue(listening.containsKey(Integer.parseInt(endpoints[2])), "the operator's HTTPS port: " + listening);
            listening.forEach((port, address) -> assertEquals("127.0.0.1", address, "port " + port + ": " + listening));
            assertTrue(listening.size() <= 6, "front, embedded API, operator HTTPS and management, redis: " + listening);

            // the operator's port trusts only the front: TLS without the front-proxy certificate gets nothing, whatever it claims
            assertOperatorRefusesDirectCalls(lockedHome, Integer.parseInt(endpoints[2]));

            // the front and the embedded API: the token and a loopback Host, or 401 with a Status
            assertTrue(serverOf(kubeconfig).startsWith("https://"), "the front speaks HTTPS only");
            for (int port : List.of(frontPort, internalPort)) {
                javax.net.ssl.SSLContext tls = port == frontPort ? trustingLocalCa(lockedHome) : null;
                String path = "/api/v1/namespaces/default/configmaps";
                assertUnauthorized(rawGet(tls, port, "127.0.0.1:" + port, null, path));
                assertUnauthorized(rawGet(tls, port, "127.0.0.1:" + port, "not-" + token, path));
                assertUnauthorized(rawGet(tls, port, "evil.example:" + port, token, path));
                assertEquals(200, rawGet(tls, port, "localhost:" + port, token, path).status());
            }

            try (KubernetesClient client = clientFor(kubeconfig)) {
                // a Job made through the API, not by the operator, never runs — even one dressed up as the operator's
                client.batch().v1().jobs().inNamespace("default").resource(rogueJob("rogue", marker, null)).create();
                client.batch().v1().jobs().inNamespace("default").resource(rogueJob("rogue-labelled", marker,
                        new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("claude.sessionops.dev/v1alpha1")
                                .withKind("ClaudeMessage").withName("nothing-here").withUid("b0gus").withController(true).build()))
                        .create();

                // while an operator-made one runs, never as uid 0 (sampled from /proc while it runs)
                UidSampler sampler = new UidSampler(operator.pid());
                sampler.start();
                CliRun run;
                try {
                    run = cli(lockedHome, endpoints, "run", "Locked down?", "--new-session", "locked", "--name", "locked-01", "--follow");
                } finally {
                    sampler.stop();
                }
                assertEquals(0, run.exit(), run.out());
                Harness.awaitPhase(client, "default", "locked-01", MessagePhase.Succeeded);
                // its events through the front (Server-Sent Events from the operator, streamed through)
                HttpResponse<String> events = viaFront(lockedHome,
                        "/apis/api.claude.sessionops.dev/v1alpha1/namespaces/default/messages/locked-01/log");
                assertEquals(200, events.statusCode(), events.body());
                assertTrue(events.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), events.headers().toString());
                assertTrue(events.body().contains("data:"), events.body());
                // the README's quick start: a write needs a permission mode that allows it; the file lands in the
                // session's workspace, which local mode keeps where the README says
                CliRun wrote = cli(lockedHome, endpoints, "run", "[[write /workspace/hello.txt hello]] Write hello.txt saying hello",
                        "--new-session", "writer", "--permission-mode", "acceptEdits", "--name", "writer-01", "--follow");
                assertEquals(0, wrote.exit(), wrote.out());
                Path written = lockedHome.resolve("volumes/claims/default").resolve(JobNames.stateClaim("writer"))
                        .resolve("workspace/hello.txt");
                assertEquals("hello", Files.readString(written).strip(), "the agent's file, at the documented path");
                assertFalse(sampler.uids().isEmpty(), "the claude process was seen running");
                assertFalse(sampler.uids().contains(0L), "uids seen: " + sampler.uids());
                assertTrue(operator.log().contains("LocalKubelet: starting default/"), operator.log());
                assertFalse(operator.log().matches("(?s).*LocalKubelet: starting \\S+ as uid 0\\b.*"), operator.log());

                for (String rogue : List.of("rogue", "rogue-labelled")) {
                    assertTrue(client.pods().inNamespace("default").withLabel("job-name", rogue).list().getItems().isEmpty(), rogue);
                    assertTrue(operator.log().contains("LocalKubelet: not running Job default/" + rogue + ":"), operator.log());
                }
                try (var files = Files.list(marker)) {
                    assertEquals(List.of(), files.toList(), "no rogue Job ran");
                }
            }

            // the home and what is in it: the owner's only (the volumes are the containers')
            assertPrivate(lockedHome);
        } finally {
            deleteRecursively(marker);
        }
        assertPrivate(lockedHome); // and after the last save on shutdown
    }

    private static io.fabric8.kubernetes.api.model.batch.v1.Job rogueJob(String name, Path marker,
            io.fabric8.kubernetes.api.model.OwnerReference owner) {
        var job = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/managed-by", "claude-session-operator").endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("claude").withImage("runner")
                .withCommand("/bin/sh", "-c", "touch " + marker.resolve(name) + "; id -u > " + marker.resolve(name))
                .endContainer().endSpec().endTemplate().endSpec().build();
        if (owner != null) {
            job.getMetadata().setOwnerReferences(List.of(owner));
        } else {
            job.getMetadata().setLabels(null);
        }
        return job;
    }

    /** A GET through the user's kubeconfig server (HTTPS, the local CA) with its token. */
    private static HttpResponse<String> viaFront(Path home, String path) throws Exception {
        Path kubeconfig = home.resolve("kubeconfig");
        assertTrue(serverOf(kubeconfig).startsWith("https://127.0.0.1:"), serverOf(kubeconfig));
        HttpRequest request = HttpRequest.newBuilder(URI.create(serverOf(kubeconfig) + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokenOf(kubeconfig)).build();
        return HttpClient.newBuilder().sslContext(trustingLocalCa(home)).build().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static javax.net.ssl.SSLContext trustingLocalCa(Path home) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(home.resolve("pki/ca.crt"))) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    /** Trusting the local CA but without the front-proxy certificate: refused, X-Remote-User or not. */
    private static void assertOperatorRefusesDirectCalls(Path home, int port) throws Exception {
        javax.net.ssl.SSLContext tls = trustingLocalCa(home);
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/apis/api.claude.sessionops.dev/v1alpha1/namespaces/default/sessions")).timeout(Duration.ofSeconds(10))
                .header("X-Remote-User", System.getProperty("user.name")) // local mode's user (the test runs as it)
                .header("X-Remote-Group", "system:masters").build();
        try {
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(tls).build().send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), r.body());
        } catch (java.io.IOException refusedInTheHandshake) {
            // as good: no certificate, no connection
        }
    }

    private static void assertPrivate(Path home) throws Exception {
        Path volumes = home.resolve("volumes");
        try (var paths = Files.walk(home)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.startsWith(volumes) && !p.equals(volumes) || Files.isSymbolicLink(p)) {
                    continue;
                }
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
            }
        }
        for (String expected : List.of("kubeconfig", "operator-kubeconfig", "objects.json", "pki/ca.crt", "pki/operator.key",
                "redis/redis.conf")) {
            assertTrue(Files.exists(home.resolve(expected)), expected);
        }
    }

    private static void assertUnauthorized(RawResponse r) {
        assertEquals(401, r.status(), r.body());
        assertTrue(r.body().contains("\"kind\":\"Status\"") && r.body().contains("\"reason\":\"Unauthorized\""), r.body());
    }

    record RawResponse(int status, String body) {
    }

    /** A socket (TLS with {@code tls}), since java.net.http will not send another Host. */
    private static RawResponse rawGet(javax.net.ssl.SSLContext tls, int port, String host, String token, String path) throws Exception {
        try (java.net.Socket socket = tls == null ? new java.net.Socket("127.0.0.1", port)
                : tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new RawResponse(Integer.parseInt(text.substring(9, 12)), text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }

    private static String serverOf(Path kubeconfig) throws Exception {
        return Config.fromKubeconfig(Files.readString(kubeconfig)).getMasterUrl().replaceAll("/$", "");
    }

    private static String tokenOf(Path kubeconfig) throws Exception {
        Matcher m = Pattern.compile("(?m)^\\s+token: (\\S+)$").matcher(Files.readString(kubeconfig));
        assertTrue(m.find(), kubeconfig + " has a token");
        return m.group(1);
    }

    /**
     * Port → address of every listening TCP socket of the process and its descendants: the socket inodes of
     * /proc/PID/fd looked up in /proc/PID/net/tcp and tcp6 (IPv4-mapped addresses shown as IPv4).
     */
    static Map<Integer, String> listeningSockets(long pid) throws Exception {
        List<Long> pids = new java.util.ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).orElseThrow().descendants().forEach(h -> pids.add(h.pid()));
        Map<String, String[]> byInode = new java.util.HashMap<>(); // inode -> [address, port]
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!"0A".equals(f[3])) {
                    continue; // not LISTEN
                }
                String[] local = f[1].split(":");
                byInode.put(f[9], new String[] { address(local[0]), String.valueOf(Integer.parseInt(local[1], 16)) });
            }
        }
        Map<Integer, String> result = new java.util.TreeMap<>();
        for (long p : pids) {
            try (var fds = Files.list(Path.of("/proc", String.valueOf(p), "fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (java.io.IOException e) {
                        continue; // closed meanwhile
                    }
                    if (target.startsWith("socket:[")) {
                        String[] socket = byInode.get(target.substring(8, target.length() - 1));
                        if (socket != null) {
                            result.put(Integer.parseInt(socket[1]), socket[0]);
                        }
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // the process ended meanwhile
            }
        }
        return result;
    }

    /** /proc/net/tcp's hex address: IPv4 little-endian per 32-bit word; IPv4-mapped IPv6 shown as the IPv4 address. */
    private static String address(String hex) throws Exception {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        return java.net.InetAddress.getByAddress(bytes).getHostAddress();
    }

    /** Samples the uids of the claude processes below local mode while it runs. */
    static final class UidSampler {
        private final long root;
        private final Path claude;
        private final java.util.Set<Long> uids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;
        private Thread thread;

        UidSampler(long root) throws Exception {
            this.root = root;
            this.claude = ClaudeBinary.path().toRealPath();
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(this::sample));
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "uid-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample(ProcessHandle h) {
            try {
                Path exe = Files.readSymbolicLink(Path.of("/proc", String.valueOf(h.pid()), "exe"));
                if (!exe.equals(claude)) {
                    return;
                }
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(h.pid()), "status"))) {
                    if (line.startsWith("Uid:")) {
                        for (String uid : line.substring(4).trim().split("\\s+")) { // real, effective, saved, fs
                            uids.add(Long.parseLong(uid));
                        }
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // gone meanwhile
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(2000);
        }

        java.util.Set<Long> uids() {
            return uids;
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The conversation of session default/demo (its keys carry its uid, which a restart must keep). */
    private static List<HistoryEntry> history(String redisUrl, String sessionUid) {
        // local mode's redis-server has a password per start, in its 0600 config file (never in the log)
        String password;
        try {
            password = Files.readString(home.resolve("redis/redis.conf")).strip().replaceFirst("^requirepass ", "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (StandaloneRedis redis = new StandaloneRedis(redisUrl.replace("redis://", "redis://:" + password + "@"))) {
            return redis.history().history(ConversationKey.session("default", "demo", sessionUid), 0, -1);
        }
    }

    private static OperatorProcess startLocal(String name) {
        return startLocal(name, home);
    }

    private static OperatorProcess startLocal(String name, Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CSO_LOCAL_HOME", home.toString());
        return OperatorProcess.local(name, Path.of("target/local-mode"), localEnv(env));
    }

    private static Map<String, String> localEnv(Map<String, String> env) {
        env.put("ANTHROPIC_API_KEY", "sk-ant-local");
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("PATH", ClaudeBinary.directory() + ":" + System.getenv("PATH"));
        env.put("QUARKUS_HTTP_PORT", "0");
        return env;
    }

    /** Waits for the operator to be up; returns the API URL, the Redis URL and the operator's HTTPS port it logged. */
    private static String[] awaitReady(OperatorProcess operator) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!operator.isAlive()) {
                throw new AssertionError("the operator exited:\n" + operator.log());
            }
            return operator.log().contains("started in") && operator.log().contains("'claudemessage' controller started");
        });
        Matcher m = READY.matcher(operator.log());
        assertTrue(m.find(), operator.log());
        Matcher https = OPERATOR_API.matcher(operator.log());
        assertTrue(https.find(), operator.log());
        assertTrue(operator.log().contains("next, in another shell: export KUBECONFIG="), "says what to type next");
        return new String[] { m.group(1), m.group(2), https.group(1) };
    }

    record CliRun(int exit, String out) {
    }

    /** The plugin as installed ({@code scripts/kubectl-claude}), with the local kubeconfig only: the API is behind its server. */
    private static CliRun cli(String[] endpoints, String... args) throws Exception {
        return cli(home, endpoints, args);
    }

    private static CliRun cli(Path home, String[] endpoints, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Project.path("scripts", "kubectl-claude").toString(),
                "--kubeconfig", home.resolve("kubeconfig").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), out);
        return new CliRun(p.exitValue(), out);
    }

    private static KubernetesClient clientFor(Path kubeconfig) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }
}
