package dev.sessionops.claude.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.e2e.ApiClient;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.e2e.SseClient;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.testing.Kubectl;
import dev.sessionops.claude.testing.Project;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.testing.TestPki;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The read API as users reach it: the packaged operator registered as the APIService of
 * {@code api.claude.sessionops.dev/v1alpha1} on a real kube-apiserver (aggregation layer, front-proxy client
 * certificate, requestheader CA in {@code kube-system/extension-apiserver-authentication}), callers authenticated by
 * the API server as ServiceAccounts and authorized twice: by the API server on the aggregated group (the chart's
 * grant to {@code system:authenticated}) and by the operator's SubjectAccessReview on the claude resources of the
 * namespace. Shares the tier ({@link RealOperatorTier}) with {@link OperatorOnRealApiServerE2E}.
 *
 * <p>{@code team-a} has a session of two messages whose name and prompts carry {@link #MARKER}; {@code reader} in
 * team-a may read claude resources there, {@code reader} in team-b only in team-b. Nothing team-b's reader sends,
 * however bent, returns the marker.
 */
@ExtendWith(RealOperatorTier.Shared.class)
class AggregatedApiE2E {
    static final String TEAM_A = "team-a";
    static final String TEAM_B = "team-b";
    /** In team-a's session name and prompts only: a response to team-b's reader that carries it leaked team-a's data. */
    static final String MARKER = "zq7mark";
    static final String SESSION = MARKER + "-chat";
    static final String FIRST = SESSION + "-01";
    static final String SECOND = SESSION + "-02";
    static final String FIRST_PROMPT = "Hello " + MARKER + " first";
    static final String SECOND_PROMPT = "And " + MARKER + " second";
    /** team-b's own session (suspended: it never runs) and a message name that exists nowhere in team-b. */
    static final String B_SESSION = "b-chat";
    static final String B_MESSAGE = "b-chat-01";
    /** The chart's grant that lets authenticated users reach the aggregated group at all (rules as the chart's). */
    static final String API_READER_ROLE = "claude-session-operator-api-reader";
    static final List<String> API_RESOURCES = List.of("sessions", "sessions/history", "messages", "messages/history",
            "messages/log");
    static final Duration KUBECTL = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    static RealOperatorTier env;
    static RealControlPlane cluster;
    static KubernetesClient admin;
    /** The replica the APIService routes to. */
    static OperatorProcess served;
    static String readerA;
    static String readerB;
    static Path kubeconfigA;
    static Path kubeconfigB;
    static ClaudeMessage first;
    static ClaudeMessage second;

    @BeforeAll
    static void start(RealOperatorTier shared) throws Exception {
        env = shared;
        cluster = env.cluster;
        admin = env.admin;
        for (String ns : List.of(TEAM_A, TEAM_B)) {
            namespaceWithCredentials(ns);
            reader(ns);
        }
        apiReaderGrant();
        // the run first, so it goes on while the APIService is registered
        Harness.session(admin, TEAM_A, SESSION, s -> {
        });
        Harness.message(admin, TEAM_A, FIRST, SESSION, FIRST_PROMPT);
        Harness.message(admin, TEAM_A, SECOND, SESSION, SECOND_PROMPT);
        Harness.session(admin, TEAM_B, B_SESSION, s -> s.setSuspend(true));

        served = env.routeApiServiceToLeader();
        readerA = cluster.serviceAccountToken(TEAM_A, "reader");
        readerB = cluster.serviceAccountToken(TEAM_B, "reader");
        kubeconfigA = cluster.kubeconfig(RealOperatorTier.WORK.resolve("reader-team-a.kubeconfig"), readerA, "reader-team-a");
        kubeconfigB = cluster.kubeconfig(RealOperatorTier.WORK.resolve("reader-team-b.kubeconfig"), readerB, "reader-team-b");
        first = Harness.awaitPhase(admin, TEAM_A, FIRST, MessagePhase.Succeeded);
        second = Harness.awaitPhase(admin, TEAM_A, SECOND, MessagePhase.Succeeded);
    }

    @AfterEach
    void operatorWasNeverForbidden() {
        env.assertOperatorsWereNeverForbidden();
    }

    // --- through the API server, as kubectl users

    @Test
    void discoveryThroughTheApiServerListsTheResources() throws Exception {
        Kubectl.Result r = Kubectl.run(kubeconfigA, KUBECTL, "get", "--raw", ApiPaths.BASE);
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode list = JSON.readTree(r.stdout());
        assertEquals("APIResourceList", list.path("kind").asText(), r.stdout());
        assertEquals(ApiPaths.GROUP_VERSION, list.path("groupVersion").asText(), r.stdout());
        TreeSet<String> names = new TreeSet<>();
        list.path("resources").forEach(res -> names.add(res.path("name").asText()));
        assertEquals(new TreeSet<>(API_RESOURCES), names, r.stdout());
    }

    @Test
    void readerReadsTeamAThroughTheApiServerAndTheOperatorForbidsTeamB() throws Exception {
        String a = ApiPaths.BASE + "/namespaces/" + TEAM_A;
        JsonNode history = getRaw(kubeconfigA, a + "/sessions/" + SESSION + "/history");
        assertEquals(4, history.path("total").asLong(), history.toString());
        List<String> turns = new ArrayList<>();
        history.path("items").forEach(i -> turns.add(i.path("role").asText() + ": " + i.path("content").asText()));
        assertEquals(List.of("user: " + FIRST_PROMPT, "assistant: " + first.getStatus().getResult(),
                "user: " + SECOND_PROMPT, "assistant: " + second.getStatus().getResult()), turns);
        assertTrue(first.getStatus().getResult().startsWith("Received 1 messages. Last: " + FIRST_PROMPT), turns.toString());
        assertTrue(second.getStatus().getResult().startsWith("Received 3 messages. Last: " + SECOND_PROMPT), turns.toString());

        JsonNode sessions = getRaw(kubeconfigA, a + "/sessions");
        JsonNode chat = find(sessions.path("items"), SESSION);
        assertEquals(2, chat.path("messageCount").asLong(), sessions.toString());

        JsonNode session = getRaw(kubeconfigA, a + "/sessions/" + SESSION);
        assertEquals(List.of(FIRST, SECOND), texts(session.path("messages")), session.toString());

        JsonNode message = getRaw(kubeconfigA, a + "/messages/" + FIRST);
        assertEquals(first.getStatus().getResult(), message.path("result").asText(), message.toString());

        // the full event stream of the run, through the aggregation layer, ending with the result
        Kubectl.Result events = Kubectl.run(kubeconfigA, KUBECTL, "get", "--raw", a + "/messages/" + SECOND + "/log");
        assertEquals(0, events.exitCode(), events.toString());
        List<SseClient.Event> parsed = parseSse(events.stdout());
        assertEquals(RealOperatorTier.eventLines(runOf(SECOND).log()), parsed.stream().map(SseClient.Event::data).toList(),
                events.stdout());
        assertEquals("result", parsed.get(parsed.size() - 1).event(), events.stdout());

        // the same identity in team-b: the API server lets it through (the chart's grant), the operator forbids it
        String b = ApiPaths.BASE + "/namespaces/" + TEAM_B;
        for (String path : List.of(b + "/sessions", b + "/sessions/" + B_SESSION + "/history", b + "/messages/" + B_MESSAGE
                + "/log")) {
            Kubectl.Result forbidden = Kubectl.run(kubeconfigA, KUBECTL, "get", "--raw", path);
            assertNotEquals(0, forbidden.exitCode(), forbidden.toString());
            assertTrue(forbidden.stderr().contains("Error from server (Forbidden)"), forbidden.toString());
            // the operator's wording (its SubjectAccessReview on the claude resource), not the API server's, which
            // would name the aggregated resource (sessions.api.claude.sessionops.dev)
            assertTrue(forbidden.stderr().matches("(?s).*claude(sessions|messages)\\.claude\\.sessionops\\.dev is forbidden: "
                    + "User \"system:serviceaccount:team-a:reader\".*in the namespace \"team-b\".*"), forbidden.toString());
        }
    }

    /**
     * The aggregation layer passes the event stream on as it comes: the first event (the CLI's init) arrives while
     * the fake API still holds the reply back, seconds before the result.
     */
    @Test
    void eventsStreamThroughTheApiServerAsTheRunGoes() throws Exception {
        Harness.session(admin, TEAM_A, "slow", s -> {
        });
        Harness.message(admin, TEAM_A, "slow-01", "slow", "[[sleep 4000]] Take your time");
        URI uri = URI.create(cluster.masterUrl() + ApiPaths.BASE + "/namespaces/" + TEAM_A + "/messages/slow-01/log");
        SseClient.Received received = SseClient.subscribe(cluster.httpClient(), uri,
                Map.of("Authorization", List.of("Bearer " + readerA)), null).get(120, TimeUnit.SECONDS);
        assertEquals(200, received.status(), received.raw());
        assertTrue(received.contentType().startsWith("text/event-stream"), received.contentType());
        List<SseClient.Event> events = received.events();
        assertEquals(RealOperatorTier.eventLines(runOf("slow-01").log()), events.stream().map(SseClient.Event::data).toList());
        SseClient.Event firstEvent = events.get(0);
        SseClient.Event result = events.get(events.size() - 1);
        assertEquals("result", result.event());
        long gap = Duration.between(firstEvent.receivedAt(), result.receivedAt()).toMillis();
        assertTrue(gap >= 2000, "the first event came " + gap + " ms before the result: the stream was held back\n"
                + received.raw());
    }

    // --- directly to the operator's HTTPS port, bypassing the API server

    @Test
    void theOperatorTrustsUserHeadersOnlyWithTheFrontProxyCertificate() throws Exception {
        ApiClient direct = new ApiClient(served.api());
        String path = ApiPaths.BASE + "/namespaces/" + TEAM_A + "/sessions";
        Map<String, List<String>> forged = Map.of("X-Remote-User", List.of("system:admin"),
                "X-Remote-Group", List.of("system:masters"));

        ApiClient.Reply noCertificate = direct.get(path, null, forged);
        assertStatus(noCertificate, 401, "Unauthorized");
        ApiClient.Reply otherCa = direct.get(path, TestPki.FORGED, forged);
        assertStatus(otherCa, 401, "Unauthorized");
        assertFalse(otherCa.raw().contains(MARKER), otherCa.raw());
        // the certificate the API server proxies with is what makes the headers believed: with it the test can tell
        ApiClient.Reply frontProxy = direct.get(path, cluster.frontProxyClient(), forged);
        assertEquals(200, frontProxy.status(), frontProxy.raw());
        find(frontProxy.body().path("items"), SESSION);

        // management is a port of its own, plain HTTP, no credentials; the API port serves none of it
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> metrics = plain.send(HttpRequest.newBuilder(served.management().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(metrics.body().contains("cso_messages"), "the operator's own metrics");
        HttpResponse<String> ready = plain.send(HttpRequest.newBuilder(served.management().resolve("health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertStatus(direct.get("/q/metrics"), 401, "Unauthorized");
    }

    // --- every route, with hostile parameters

    /** One hostile request: the route template, which parameter was bent and how, and the raw path sent. */
    record Probe(String id, String template, String parameter, String variant, String path, List<String> values) {
    }

    /**
     * What came back, and what the operator's access log shows of it (null: not logged). The operator's first handler
     * refuses a path that is not plain names (400, "the path …") before the access log sees it; every other answer
     * of the operator is logged with the request line it received. The rest came from the API server itself.
     */
    record Outcome(Probe probe, int status, String body, String operatorSaw, Integer operatorStatus) {
        String who() {
            if (operatorSaw != null) {
                return "operator";
            }
            return status == 400 && body.contains("\"reason\":\"BadRequest\"") && body.contains("\"message\":\"the path ")
                    ? "operator-gate" : "api-server";
        }
    }

    /**
     * For every path of the operator's OpenAPI document, its namespace and name parameters bent (encoded slash,
     * {@code %23}, {@code ..}, {@code %2e%2e}, 300 characters, non-ASCII, an empty segment, the other team's values)
     * and sent (a) straight to the operator without credentials: 401, always; (b) through the API server as team-b's
     * reader: a 4xx from the operator (400, 403, 404) or from the API server itself, and never team-a's marker. The
     * outcome of each is written to {@code target/real-control-plane/hostile-routes.txt}: who answered, and the request
     * line the operator received (its access log) where it got past the operator's path syntax check, so what the API
     * server rewrote on the way is on record.
     */
    @Test
    void hostileRouteParametersNeverReachAnotherNamespacesData() throws Exception {
        HttpResponse<String> openapi = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                served.management().resolve("openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, openapi.statusCode(), openapi.body());
        List<String> templates = new ArrayList<>();
        JSON.readTree(openapi.body()).path("paths").fieldNames().forEachRemaining(templates::add);
        assertTrue(templates.size() >= 7 && templates.stream().allMatch(t -> t.startsWith(ApiPaths.BASE)), templates.toString());

        List<Probe> probes = probes(templates);
        HttpClient noCertificate = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(TestPki.clientContext(null)).build();
        HttpClient viaApiServer = cluster.httpClient();
        List<Outcome> direct = new ArrayList<>();
        List<Outcome> proxied = new ArrayList<>();
        for (Probe p : probes) {
            direct.add(send(noCertificate, URI.create("https://127.0.0.1:" + served.httpsPort() + p.path() + "?probe=d" + p.id()),
                    Map.of(), p));
            proxied.add(send(viaApiServer, URI.create(cluster.masterUrl() + p.path() + "?probe=k" + p.id()),
                    Map.of("Authorization", List.of("Bearer " + readerB)), p));
        }
        // a request that surely reaches the operator, last: once it is in the access log, every earlier one is
        send(viaApiServer, URI.create(cluster.masterUrl() + ApiPaths.BASE + "/namespaces/" + TEAM_B + "/sessions?probe=end"),
                Map.of("Authorization", List.of("Bearer " + readerB)), probes.get(0));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> served.log().contains("probe=end"));
        Map<String, String[]> seen = accessLog(served.log());
        direct = direct.stream().map(o -> withOperatorView(o, seen.get("d" + o.probe().id()))).toList();
        proxied = proxied.stream().map(o -> withOperatorView(o, seen.get("k" + o.probe().id()))).toList();
        writeReport(direct, proxied);

        List<String> failures = new ArrayList<>();
        for (Outcome o : direct) {
            if (o.status() != 401 || o.body().contains(MARKER)) {
                failures.add("direct " + o.status() + " " + o.probe().path() + " " + o.body());
            }
        }
        for (Outcome o : proxied) {
            boolean discovery = o.probe().parameter() == null;
            boolean ok = discovery ? o.status() == 200
                    : o.status() / 100 == 4 && (o.who().equals("api-server") || List.of(400, 403, 404).contains(o.status()));
            if (o.operatorStatus() != null && o.operatorStatus() != o.status()) {
                ok = false;
            }
            if (!ok || leaks(o)) {
                failures.add("via the API server " + o.status() + " (" + o.who() + ") " + o.probe().path() + " " + o.body());
            }
            if (o.probe().variant().startsWith("team-a's") && o.probe().parameter().contains("namespace")) {
                // team-a's objects themselves: the operator's SubjectAccessReview is what stops team-b's reader
                if (o.status() != 403 || o.operatorSaw() == null) {
                    failures.add("team-a's namespace " + o.status() + " (" + o.who() + ") " + o.probe().path());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The probes: per template, each parameter bent in each way (the others valid in team-b), and team-a's own objects. */
    static List<Probe> probes(List<String> templates) {
        List<Probe> probes = new ArrayList<>();
        for (String template : templates) {
            boolean messages = template.contains("/messages/");
            Map<String, String> own = Map.of("namespace", TEAM_B, "name", messages ? B_MESSAGE : B_SESSION);
            Map<String, String> victim = Map.of("namespace", TEAM_A, "name", messages ? FIRST : SESSION);
            List<String> parameters = new ArrayList<>();
            Matcher m = Pattern.compile("\\{(\\w+)}").matcher(template);
            while (m.find()) {
                parameters.add(m.group(1));
            }
            if (parameters.isEmpty()) {
                probes.add(new Probe(String.valueOf(probes.size()), template, null, "as is", template, List.of()));
                continue;
            }
            for (String parameter : parameters) {
                for (Map.Entry<String, String> variant : hostile(own.get(parameter), victim.get(parameter)).entrySet()) {
                    Map<String, String> values = new LinkedHashMap<>(own);
                    values.put(parameter, variant.getValue());
                    probes.add(probe(probes.size(), template, parameter, variant.getKey(), values));
                }
            }
            Map<String, String> values = new LinkedHashMap<>(victim);
            probes.add(probe(probes.size(), template, String.join("+", parameters), "team-a's objects", values));
        }
        return probes;
    }

    private static Probe probe(int id, String template, String parameter, String variant, Map<String, String> values) {
        String path = template;
        for (var e : values.entrySet()) {
            path = path.replace("{" + e.getKey() + "}", e.getValue());
        }
        return new Probe(String.valueOf(id), template, parameter, variant, path, List.copyOf(values.values()));
    }

    /** Raw path segments (percent-encoding as sent) standing in for a parameter whose valid value is {@code own}. */
    static Map<String, String> hostile(String own, String victim) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("encoded slash up into team-a", own + "%2F..%2F" + victim);
        v.put("encoded slash", own + "%2F");
        v.put("encoded #", own + "%23");
        v.put("dot-dot", "..");
        v.put("encoded dot-dot", "%2e%2e");
        v.put("encoded dot-dot up into team-a", "%2e%2e%2F" + victim);
        v.put("300 characters", "a".repeat(300));
        v.put("non-ASCII", own + "%C3%A9");
        v.put("empty segment", "");
        v.put("team-a's value", victim);
        return v;
    }

    private static Outcome send(HttpClient http, URI uri, Map<String, List<String>> headers, Probe probe) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        headers.forEach((k, values) -> values.forEach(value -> request.header(k, value)));
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(probe, r.statusCode(), r.body(), null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** probe id → {request line as the operator received it, its status}, from the operator's access log. */
    static Map<String, String[]> accessLog(String log) {
        Map<String, String[]> seen = new LinkedHashMap<>();
        Pattern line = Pattern.compile(Pattern.quote(RealOperatorTier.ACCESS_LOG_PREFIX) + "\"(GET (\\S*) \\S+)\" (\\d{3})");
        Pattern probe = Pattern.compile("[?&]probe=(\\w+)");
        for (String l : log.lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                Matcher p = probe.matcher(m.group(2));
                if (p.find()) {
                    seen.put(p.group(1), new String[] {m.group(2), m.group(3)});
                }
            }
        }
        return seen;
    }

    private static Outcome withOperatorView(Outcome o, String[] seen) {
        return seen == null ? o : new Outcome(o.probe(), o.status(), o.body(), seen[0], Integer.parseInt(seen[1]));
    }

    /**
     * Team-a's marker in a response, once echoes of the request's own values are taken out (a 404 or 403 naming what
     * was asked for tells nothing; team-a's prompt or a listing of its session would).
     */
    static boolean leaks(Outcome o) {
        String body = o.body();
        for (String value : o.probe().values()) {
            // the API server decodes the path and splits it again: it may echo any piece of a value
            String decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
            List<String> echoes = new ArrayList<>(List.of(value, decoded));
            echoes.addAll(List.of(decoded.split("/")));
            for (String echo : echoes) {
                body = echo.isEmpty() ? body : body.replace(echo, "");
            }
        }
        return body.contains(MARKER);
    }

    private static void writeReport(List<Outcome> direct, List<Outcome> proxied) throws IOException {
        StringBuilder report = new StringBuilder("# hostile route parameters on the real tier\n"
                + "# columns: status via the API server as team-b's reader, who answered, status directly without credentials,"
                + " template, parameter, variant, path sent, request line the operator received (when it did), body\n");
        for (int i = 0; i < proxied.size(); i++) {
            Outcome o = proxied.get(i);
            report.append(o.status()).append('\t').append(o.who()).append('\t').append(direct.get(i).status()).append('\t')
                    .append(o.probe().template()).append('\t').append(o.probe().parameter()).append('\t')
                    .append(o.probe().variant()).append('\t').append(o.probe().path()).append('\t')
                    .append(o.operatorSaw() == null ? "-" : o.operatorSaw()).append('\t')
                    .append(o.body().replaceAll("\\s+", " ").strip()).append('\n');
        }
        Path file = RealOperatorTier.WORK.resolve("hostile-routes.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, report);
        System.out.println("hostile route outcomes in " + file.toAbsolutePath());
    }

    // --- the kubectl claude plugin, installed, through the API server

    @Test
    void kubectlClaudeReadsTeamAAsTheReaderAndIsForbiddenInTeamB() throws Exception {
        Path bin = Files.createTempDirectory("kubectl-claude-bin");
        Path plugin = Files.createSymbolicLink(bin.resolve("kubectl-claude"), Project.path("scripts", "kubectl-claude"));
        try {
            Cli history = cli(plugin, "-n", TEAM_A, "session", "history", SESSION);
            assertEquals(0, history.exit(), history.out());
            assertTrue(history.out().contains(FIRST_PROMPT) && history.out().contains(SECOND_PROMPT), history.out());
            assertTrue(history.out().contains("Received 3 messages"), history.out());

            Cli export = cli(plugin, "-n", TEAM_A, "session", "export", SESSION);
            assertEquals(0, export.exit(), export.out());
            JsonNode state = JSON.readTree(export.out());
            assertTrue(state.toString().contains(FIRST_PROMPT) && state.toString().contains(SECOND_PROMPT), export.out());

            Cli logs = cli(plugin, "-n", TEAM_A, "logs", FIRST);
            assertEquals(0, logs.exit(), logs.out());
            assertTrue(logs.out().contains(first.getStatus().getResult()), logs.out());

            // a session's and a message's read (export reads what history reads)
            for (String[] command : new String[][] {{"session", "history", B_SESSION}, {"logs", B_MESSAGE}}) {
                List<String> args = new ArrayList<>(List.of("-n", TEAM_B));
                args.addAll(List.of(command));
                Cli forbidden = cli(plugin, args.toArray(String[]::new));
                assertNotEquals(0, forbidden.exit(), forbidden.out());
                assertTrue(forbidden.out().toLowerCase().contains("forbidden"), forbidden.out());
                assertFalse(forbidden.out().contains(MARKER), forbidden.out());
            }
        } finally {
            Files.deleteIfExists(plugin);
            Files.deleteIfExists(bin);
        }
    }

    record Cli(int exit, String out) {
    }

    /** The installed plugin as team-a's reader (its kubeconfig), stdout and stderr together; never outlives the call. */
    private static Cli cli(Path plugin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(plugin.toString(), "--kubeconfig", kubeconfigA.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl-claude", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError("kubectl-claude " + String.join(" ", args) + " did not end:\n" + Files.readString(out));
            }
            return new Cli(p.exitValue(), Files.readString(out));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }

    // --- helpers

    private static JsonNode getRaw(Path kubeconfig, String path) throws IOException {
        Kubectl.Result r = Kubectl.run(kubeconfig, KUBECTL, "get", "--raw", path);
        assertEquals(0, r.exitCode(), r.toString());
        return JSON.readTree(r.stdout());
    }

    /** The main container's run of a team-a message's Job. */
    private static ContainerRun runOf(String message) {
        String job = JobNames.forMessage(message, Harness.get(admin, TEAM_A, message).getMetadata().getUid());
        List<ContainerRun> runs = env.kubelet.mainRuns(TEAM_A).stream().filter(r -> job.equals(r.jobName())).toList();
        assertEquals(1, runs.size(), "runs of " + message);
        return runs.get(0);
    }

    /** The events of an SSE body, parsed as an EventSource does. */
    static List<SseClient.Event> parseSse(String text) {
        List<SseClient.Event> events = new ArrayList<>();
        String event = null;
        StringBuilder data = null;
        for (String line : (text + "\n").split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new SseClient.Event(null, event == null ? "message" : event, data.toString(), null));
                }
                event = null;
                data = null;
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return events;
    }

    static JsonNode find(JsonNode items, String name) {
        for (JsonNode i : items) {
            if (name.equals(i.path("name").asText())) {
                return i;
            }
        }
        throw new AssertionError(name + " not in " + items);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.path("name").asText()));
        return out;
    }

    static void assertStatus(ApiClient.Reply r, int code, String reason) {
        assertEquals(code, r.status(), r.raw());
        assertEquals("Status", r.body().path("kind").asText(), r.raw());
        assertEquals(code, r.body().path("code").asInt(), r.raw());
        assertEquals(reason, r.body().path("reason").asText(), r.raw());
    }

    private static void namespaceWithCredentials(String ns) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(Harness.SECRET).endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", Harness.API_KEY)).build()).create();
    }

    /** ServiceAccount {@code reader} with only a Role to get and list claude sessions and messages in {@code ns}. */
    private static void reader(String ns) {
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("reader")
                .endMetadata().build()).create();
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("claude-reader").endMetadata()
                .addNewRule().withApiGroups(ClaudeSession.GROUP).withResources("claudesessions", "claudemessages")
                .withVerbs("get", "list").endRule().build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName("reader")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "claude-reader")
                .addNewSubject().withKind("ServiceAccount").withName("reader").withNamespace(ns).endSubject().build()).create();
    }

    /**
     * What the chart ships for the read API's users: the kube-apiserver authorizes a request on the aggregated group
     * before it proxies it, so every authenticated user may get the API's resources; the operator authorizes for real.
     */
    private static void apiReaderGrant() {
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(API_READER_ROLE).endMetadata()
                .addNewRule().withApiGroups(ApiPaths.GROUP).withResources(API_RESOURCES).withVerbs("get", "list").endRule()
                .build()).create();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(API_READER_ROLE)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", API_READER_ROLE)
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName("system:authenticated")
                .endSubject().build()).create();
    }
}
