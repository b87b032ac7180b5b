package dev.sessionops.claude.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.sessionops.claude.local.Pki;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * A real Kubernetes control plane for tests (DESIGN §8): etcd, kube-apiserver and kube-controller-manager v1.20
 * as local processes on free 127.0.0.1 ports, with token authentication, RBAC, service-account token signing and
 * the Job, garbage-collection, service-account, TTL-after-finished, namespace and clusterrole-aggregation
 * controllers. No scheduler and no
 * kubelet: Pods the Job controller creates stay Pending until test code binds them. The aggregation layer is on: a
 * per-run front-proxy CA and client certificate ({@link #frontProxyCa()}, {@link #frontProxyClient()}), and
 * {@link #registerApiService} routes an API group to an HTTPS server on loopback.
 *
 * <p>Plain Java: start it with {@link #start()} from JUnit or from a
 * {@code QuarkusTestResourceLifecycleManager} (see {@link #quarkusConfig(String)}), stop it with {@link #close()}.
 * Binaries come from the cache that {@code scripts/k8s-test-env.sh} fills ({@code $CSO_K8S_CACHE}, default
 * {@code ~/.cache/claude-session-operator/k8s}). Process output goes to {@code target/real-control-plane/<run>/}.
 */
public final class RealControlPlane implements AutoCloseable {
    /** The bearer token of the user {@code admin} in group {@code system:masters}. */
    public static final String ADMIN_USER = "admin";
    public static final String CONTROLLER_MANAGER_USER = "system:kube-controller-manager";
    public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc";
    public static final String SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24";
    /** The CN of the client certificate the API server presents when it proxies to an aggregated API server. */
    public static final String FRONT_PROXY_CLIENT = "front-proxy-client";
    /**
     * The kube-controller-manager controllers that run. clusterrole-aggregation fills the aggregated bootstrap roles
     * ({@code admin}, {@code edit}, {@code view}), which are otherwise empty; resourcequota keeps quotas' usage, which
     * the API server's quota admission checks.
     */
    public static final List<String> CONTROLLERS = List.of("job", "garbagecollector", "serviceaccount",
            "serviceaccount-token", "ttl-after-finished", "namespace", "clusterrole-aggregation", "pvc-protection",
            "resourcequota");

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration API_SERVICE_READY = Duration.ofSeconds(30);
    private static final ResourceDefinitionContext API_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("apiregistration.k8s.io").withVersion("v1").withKind("APIService").withPlural("apiservices")
            .withNamespaced(false).build();

    private final Path binDir;
    private final Path tmpDir;
    private final Path logDir;
    private final List<String> extraApiServerArgs;
    private final List<String> extraControllerManagerArgs;
    private final String adminToken = randomToken();
    private final String controllerManagerToken = randomToken();
    // issued per run, so a test can act as the front proxy (or forge one with a certificate from another CA)
    private final Pki.Issued frontProxyCa = Pki.ca("real-control-plane-front-proxy-ca");
    private final Pki.Issued frontProxyClient = Pki.client(frontProxyCa, FRONT_PROXY_CLIENT, List.of());
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopProcesses, "real-control-plane-shutdown");
    private int etcdClientPort;
    private int apiServerPort;
    private Path caFile;
    private KubernetesClient adminClient;
    private boolean closed;

    private RealControlPlane(Builder builder) throws IOException {
        this.binDir = builder.binDir != null ? builder.binDir : binDir();
        for (String binary : List.of("etcd", "kube-apiserver", "kube-controller-manager")) {
            if (!Files.isExecutable(binDir.resolve(binary))) {
                throw new IllegalStateException(binary + " is missing in " + binDir
                        + ": run scripts/k8s-test-env.sh (it builds kube-apiserver and kube-controller-manager v1.20.2"
                        + " from Debian's kubernetes source package and copies etcd there; set CSO_K8S_CACHE to use"
                        + " another directory)");
            }
        }
        this.extraApiServerArgs = List.copyOf(builder.extraApiServerArgs);
        this.extraControllerManagerArgs = List.copyOf(builder.extraControllerManagerArgs);
        Path shm = Path.of("/dev/shm");
        // etcd fsyncs on every write; on tmpfs that costs nothing
        this.tmpDir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "real-control-plane")
                : Files.createTempDirectory("real-control-plane");
        String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        this.logDir = builder.logRoot.resolve(run).toAbsolutePath();
        Files.createDirectories(logDir);
    }

    /** Starts a control plane with the defaults and waits until it works. */
    public static RealControlPlane start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The binary cache: {@code $CSO_K8S_CACHE}, else {@code ~/.cache/claude-session-operator/k8s}. */
    public static Path binDir() {
        String env = System.getenv("CSO_K8S_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "claude-session-operator", "k8s");
    }

    /** True when the cache holds all three binaries (a test may skip or fail with a hint otherwise). */
    public static boolean binariesPresent() {
        Path dir = binDir();
        return List.of("etcd", "kube-apiserver", "kube-controller-manager").stream()
                .allMatch(b -> Files.isExecutable(dir.resolve(b)));
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String masterUrl() {
        return "https://127.0.0.1:" + apiServerPort;
    }

    public String adminToken() {
        return adminToken;
    }

    /** PEM file with the API server's self-signed serving certificate chain (its CA included). */
    public Path caCertFile() {
        return caFile;
    }

    /** Where etcd.log, kube-apiserver.log and kube-controller-manager.log are written. */
    public Path logDir() {
        return logDir;
    }

    /**
     * The requestheader CA: the API server trusts X-Remote-* headers only from client certificates it signed, and
     * publishes it in ConfigMap {@code kube-system/extension-apiserver-authentication} for aggregated API servers.
     */
    public Pki.Issued frontProxyCa() {
        return frontProxyCa;
    }

    /** The client certificate (CN {@value #FRONT_PROXY_CLIENT}) the API server presents to aggregated API servers. */
    public Pki.Issued frontProxyClient() {
        return frontProxyClient;
    }

    /** A client authenticated as {@code admin} ({@code system:masters}); closed by {@link #close()}. */
    public KubernetesClient adminClient() {
        return adminClient;
    }

    /** A Fabric8 client config for this API server with the given bearer token (no kubeconfig or env involved). */
    public Config clientConfig(String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(masterUrl())
                .withOauthToken(token)
                .withCaCertFile(caFile.toString())
                .withNamespace("default")
                .build();
    }

    /** A JDK HTTP client that trusts this API server's certificate (for raw requests and headers of a test's own). */
    public HttpClient httpClient() {
        return HttpClient.newBuilder().sslContext(sslContextTrusting(caFile)).connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    /** A new client with the given bearer token; the caller closes it. */
    public KubernetesClient newClient(String token) {
        return new KubernetesClientBuilder().withConfig(clientConfig(token)).build();
    }

    /**
     * The Quarkus kubernetes-client properties that point an application at this API server with the given token,
     * for a {@code QuarkusTestResourceLifecycleManager#start()} to return.
     */
    public Map<String, String> quarkusConfig(String token) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", masterUrl());
        config.put("quarkus.kubernetes-client.token", token);
        config.put("quarkus.kubernetes-client.ca-cert-file", caFile.toString());
        config.put("quarkus.kubernetes-client.trust-certs", "false");
        return config;
    }

    /** Writes a self-contained kubeconfig (CA data inline) for the admin token to {@code file}. */
    public Path kubeconfig(Path file) {
        return kubeconfig(file, adminToken, ADMIN_USER);
    }

    /** Writes a self-contained kubeconfig for the given token to {@code file}. */
    public Path kubeconfig(Path file, String token, String userName) {
        try {
            String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caFile));
            String yaml = "apiVersion: v1\n"
                    + "kind: Config\n"
                    + "clusters:\n"
                    + "- name: real-control-plane\n"
                    + "  cluster:\n"
                    + "    server: " + masterUrl() + "\n"
                    + "    certificate-authority-data: " + ca + "\n"
                    + "users:\n"
                    + "- name: " + userName + "\n"
                    + "  user:\n"
                    + "    token: " + token + "\n"
                    + "contexts:\n"
                    + "- name: real-control-plane\n"
                    + "  context:\n"
                    + "    cluster: real-control-plane\n"
                    + "    user: " + userName + "\n"
                    + "    namespace: default\n"
                    + "current-context: real-control-plane\n";
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The token of a service account, from the token Secret the service-account-token controller makes (1.20 still
     * creates one per ServiceAccount); waits up to 30 s for it.
     */
    public String serviceAccountToken(String namespace, String name) {
        String[] token = new String[1];
        await("a token Secret for ServiceAccount " + namespace + "/" + name, Duration.ofSeconds(30), () -> {
            token[0] = findServiceAccountToken(namespace, name);
            return token[0] != null;
        });
        return token[0];
    }

    /**
     * Makes the API server proxy {@code /apis/<group>/<version>/...} to an HTTPS server on this machine's loopback at
     * {@code port}: an ExternalName Service {@code namespace/service} for {@code localhost} (Endpoints reject
     * loopback addresses; the 1.20 aggregator routes an ExternalName Service to {@code https://<externalName>:<port>}
     * without looking at Endpoints) and an {@code apiregistration.k8s.io/v1} APIService for it. The API server checks
     * the server's certificate for {@code <service>.<namespace>.svc} against {@code caBundlePem}. Returns once the
     * APIService is {@code Available} and a discovery GET through the API server answers 200: the availability check
     * skips certificate verification, so only the GET shows that the proxy trusts the server. The namespace must
     * exist; the server must answer {@code GET /apis/<group>/<version>} (and any user may, it is asked as
     * {@code system:kube-aggregator} and as {@code admin}). {@link #unregisterApiService} undoes the routing.
     *
     * @return the APIService's name, {@code <version>.<group>}
     */
    public String registerApiService(String group, String version, String namespace, String service, int port,
            String caBundlePem) {
        adminClient.services().inNamespace(namespace).resource(new ServiceBuilder()
                .withNewMetadata().withName(service).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("localhost")
                .addNewPort().withName("https").withPort(port).endPort().endSpec()
                .build()).createOr(NonDeletingOperation::update);
        String name = version + "." + group;
        adminClient.genericKubernetesResources(API_SERVICES).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("apiregistration.k8s.io/v1").withKind("APIService")
                .withNewMetadata().withName(name).endMetadata()
                .addToAdditionalProperties("spec", Map.of(
                        "group", group,
                        "version", version,
                        "service", Map.of("namespace", namespace, "name", service, "port", port),
                        "caBundle", Base64.getEncoder().encodeToString(caBundlePem.getBytes(StandardCharsets.US_ASCII)),
                        "groupPriorityMinimum", 1000,
                        "versionPriority", 15))
                .build()).createOr(NonDeletingOperation::update);

        HttpClient http = httpClient();
        URI discovery = URI.create(masterUrl() + "/apis/" + group + "/" + version);
        String[] lastAnswer = {"none yet"};
        if (!poll(API_SERVICE_READY, () -> "True".equals(availableCondition(name).get("status"))
                && (lastAnswer[0] = adminGet(http, discovery)).startsWith("200 "))) {
            Map<String, Object> condition = availableCondition(name);
            // Available only means the discovery check answered: it skips certificate verification, the proxy not
            throw new IllegalStateException("APIService " + name + " (ExternalName Service " + namespace + "/"
                    + service + " -> https://localhost:" + port + ") not available and routed within "
                    + API_SERVICE_READY.toSeconds() + " s: Available=" + condition.get("status") + " reason="
                    + condition.get("reason") + " message=" + condition.get("message")
                    + "; GET " + discovery.getPath() + " through the API server: " + lastAnswer[0]
                    + "\n--- kube-apiserver.log lines about " + group + " ---\n"
                    + logLines("kube-apiserver", group, 15));
        }
        return name;
    }

    /** Deletes the APIService {@code <version>.<group>}, so the API server stops proxying (and checking) it. */
    public void unregisterApiService(String group, String version) {
        adminClient.genericKubernetesResources(API_SERVICES).withName(version + "." + group).delete();
    }

    /** {@code "<status> <body>"} of an admin GET, or what went wrong. */
    private String adminGet(HttpClient http, URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body().trim();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The APIService's {@code Available} condition, empty when it has none (yet). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> availableCondition(String apiService) {
        GenericKubernetesResource resource = adminClient.genericKubernetesResources(API_SERVICES)
                .withName(apiService).get();
        Object status = resource == null ? null : resource.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> map && map.get("conditions") instanceof List<?> conditions) {
            for (Object condition : conditions) {
                if (condition instanceof Map<?, ?> c && "Available".equals(c.get("type"))) {
                    return (Map<String, Object>) c;
                }
            }
        }
        return Map.of();
    }

    /** The last {@code lines} lines of {@code <component>.log} (etcd, kube-apiserver, kube-controller-manager). */
    public String logTail(String component, int lines) {
        return tail(logDir.resolve(component + ".log"), lines);
    }

    /** The last {@code max} lines of {@code <component>.log} that contain {@code text}. */
    public String logLines(String component, String text, int max) {
        try (var lines = Files.lines(logDir.resolve(component + ".log"), StandardCharsets.UTF_8)) {
            List<String> matching = lines.filter(l -> l.contains(text)).toList();
            return String.join("\n", matching.subList(Math.max(0, matching.size() - max), matching.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String findServiceAccountToken(String namespace, String name) {
        ServiceAccount sa = adminClient.serviceAccounts().inNamespace(namespace).withName(name).get();
        if (sa == null || sa.getSecrets() == null) {
            return null;
        }
        for (var ref : sa.getSecrets()) {
            Secret secret = adminClient.secrets().inNamespace(namespace).withName(ref.getName()).get();
            if (secret != null && "kubernetes.io/service-account-token".equals(secret.getType())
                    && secret.getData() != null && secret.getData().get("token") != null) {
                return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------

    private void startAll() throws IOException {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        startEtcd();
        startApiServer();
        adminClient = newClient(adminToken);
        startControllerManager();
        // The service-account and service-account-token controllers work when the default namespace's default
        // ServiceAccount has its token (ServiceAccount admission in 1.20 rejects Pods until then).
        await("the controller-manager to give ServiceAccount default/default a token", STARTUP,
                () -> findServiceAccountToken("default", "default") != null);
    }

    private void startEtcd() throws IOException {
        etcdClientPort = freePort();
        int peerPort = freePort();
        String client = "http://127.0.0.1:" + etcdClientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Process etcd = launch("etcd", List.of(
                "--name=default",
                "--data-dir=" + tmpDir.resolve("etcd"),
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=default=" + peer,
                "--initial-cluster-state=new"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        await("etcd to answer /health on " + client, STARTUP, () -> {
            requireAlive(etcd, "etcd");
            return get(http, client + "/health", null).contains("\"health\":\"true\"");
        });
    }

    private void startApiServer() throws IOException {
        apiServerPort = freePort();
        Path certDir = Files.createDirectories(tmpDir.resolve("apiserver-certs"));
        Path saKeys = writeServiceAccountKeys();
        Path frontProxyDir = Files.createDirectories(tmpDir.resolve("front-proxy"));
        Pki.writePrivate(frontProxyDir.resolve("ca.crt"), frontProxyCa.certPem());
        frontProxyClient.write(frontProxyDir.resolve("client.crt"), frontProxyDir.resolve("client.key"));
        Path tokens = tmpDir.resolve("tokens.csv");
        Files.writeString(tokens,
                adminToken + "," + ADMIN_USER + ",admin-uid,\"system:masters\"\n"
                        + controllerManagerToken + "," + CONTROLLER_MANAGER_USER + ",kcm-uid\n");
        List<String> args = new ArrayList<>(List.of(
                "--etcd-servers=http://127.0.0.1:" + etcdClientPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiServerPort,
                "--insecure-port=0",
                "--cert-dir=" + certDir,
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                "--service-account-key-file=" + saKeys.resolve("sa.pub"),
                "--service-account-signing-key-file=" + saKeys.resolve("sa.key"),
                "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                "--feature-gates=TTLAfterFinished=true",
                // 1.20 would otherwise publish 127.0.0.1 in the `kubernetes` Endpoints, which validation rejects
                // (loopback), and log that every 10 s; nothing here routes to that Service anyway
                "--endpoint-reconciler-type=none",
                // the aggregation layer: who may send X-Remote-* headers, and the certificate it proxies with
                "--requestheader-client-ca-file=" + frontProxyDir.resolve("ca.crt"),
                "--requestheader-allowed-names=" + FRONT_PROXY_CLIENT,
                "--requestheader-username-headers=X-Remote-User",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--proxy-client-cert-file=" + frontProxyDir.resolve("client.crt"),
                "--proxy-client-key-file=" + frontProxyDir.resolve("client.key")));
        args.addAll(extraApiServerArgs);
        Process apiServer = launch("kube-apiserver", args);
        // 1.20 writes apiserver.crt (serving certificate followed by its self-signed CA) before it serves
        caFile = certDir.resolve("apiserver.crt");
        await("kube-apiserver to write " + caFile, STARTUP, () -> {
            requireAlive(apiServer, "kube-apiserver");
            return Files.isRegularFile(caFile) && readable(caFile);
        });
        HttpClient http = HttpClient.newBuilder().sslContext(sslContextTrusting(caFile))
                .connectTimeout(Duration.ofSeconds(1)).build();
        await("kube-apiserver " + masterUrl() + "/readyz", STARTUP, () -> {
            requireAlive(apiServer, "kube-apiserver");
            return get(http, masterUrl() + "/readyz", adminToken).equals("ok");
        });
    }

    private void startControllerManager() throws IOException {
        Path kubeconfig = kubeconfig(tmpDir.resolve("kube-controller-manager.kubeconfig"), controllerManagerToken,
                CONTROLLER_MANAGER_USER);
        List<String> args = new ArrayList<>(List.of(
                "--kubeconfig=" + kubeconfig,
                // each controller runs as its own ServiceAccount with the bootstrap RBAC roles, as in a real cluster;
                // the controller-manager's own identity only needs the bootstrap system:kube-controller-manager role
                "--use-service-account-credentials=true",
                "--controllers=" + String.join(",", CONTROLLERS),
                "--service-account-private-key-file=" + tmpDir.resolve("sa-keys").resolve("sa.key"),
                "--root-ca-file=" + caFile,
                "--feature-gates=TTLAfterFinished=true",
                "--leader-elect=false",
                "--port=0", // no insecure healthz/metrics port
                "--secure-port=0")); // nor a secure one: nothing to collide with on a shared machine
        args.addAll(extraControllerManagerArgs);
        Process kcm = launch("kube-controller-manager", args);
        poll(Duration.ofMillis(300), () -> { // it fails fast on a bad flag or kubeconfig
            requireAlive(kcm, "kube-controller-manager");
            return false;
        });
    }

    private Path writeServiceAccountKeys() throws IOException {
        Path dir = Files.createDirectories(tmpDir.resolve("sa-keys"));
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            return dir;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Process launch(String binary, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binDir.resolve(binary).toString());
        command.addAll(args);
        Path log = logDir.resolve(binary + ".log");
        Files.writeString(log, String.join(" ", command) + "\n\n");
        ProcessBuilder builder = new ProcessBuilder(command).directory(tmpDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // no in-cluster or kubeconfig discovery from the test machine's environment
        builder.environment().remove("KUBECONFIG");
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        Process process = builder.start();
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Stops the controller-manager, the API server and etcd (with any child processes), deletes temp dirs. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (adminClient != null) {
            adminClient.close();
        }
        stopProcesses();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        deleteRecursively(tmpDir);
    }

    private void stopProcesses() {
        List<Process> reversed;
        synchronized (processes) {
            reversed = new ArrayList<>(processes);
            processes.clear();
        }
        java.util.Collections.reverse(reversed); // controller-manager, API server, etcd
        for (Process process : reversed) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.add(process.toHandle());
            tree.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + STOP_GRACE.toNanos();
            for (ProcessHandle handle : tree) {
                try {
                    long left = Math.max(0, deadline - System.nanoTime());
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    handle.destroyForcibly();
                }
            }
        }
    }

    private void failStart(String what) {
        StringBuilder message = new StringBuilder("real control plane: timed out waiting for " + what
                + " (logs in " + logDir + ")");
        for (String name : List.of("etcd", "kube-apiserver", "kube-controller-manager")) {
            Path log = logDir.resolve(name + ".log");
            if (Files.exists(log)) {
                message.append("\n--- last lines of ").append(log.getFileName()).append(" ---\n").append(tail(log, 15));
            }
        }
        throw new IllegalStateException(message.toString());
    }

    private void requireAlive(Process process, String name) {
        if (!process.isAlive()) {
            throw new IllegalStateException("real control plane: " + name + " exited with code " + process.exitValue()
                    + "; last lines of " + logDir.resolve(name + ".log") + ":\n" + tail(logDir.resolve(name + ".log"), 30));
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        if (!poll(timeout, condition)) {
            failStart(what);
        }
    }

    /**
     * Polls {@code condition} every 50 ms until it holds (true) or {@code timeout} passes (false). A runtime exception
     * counts as not yet, except an {@link IllegalStateException} (a process died), which ends the wait.
     */
    private static boolean poll(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String get(HttpClient http, String url, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body().trim() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static SSLContext sslContextTrusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("cert-" + i++, (X509Certificate) cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True once the file holds at least one whole certificate (it may still be being written). */
    private static boolean readable(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            return !CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** Options; {@link #start()} launches and waits. */
    public static final class Builder {
        private Path binDir;
        private Path logRoot = Path.of("target", "real-control-plane");
        private final List<String> extraApiServerArgs = new ArrayList<>();
        private final List<String> extraControllerManagerArgs = new ArrayList<>();

        private Builder() {
        }

        /** Overrides {@link RealControlPlane#binDir()}. */
        public Builder binDir(Path dir) {
            this.binDir = dir;
            return this;
        }

        /** Parent of the per-run log directory; default {@code target/real-control-plane}. */
        public Builder logRoot(Path dir) {
            this.logRoot = dir;
            return this;
        }

        /** An extra {@code --flag=value} for kube-apiserver (later flags win). */
        public Builder apiServerArg(String arg) {
            extraApiServerArgs.add(arg);
            return this;
        }

        /** An extra {@code --flag=value} for kube-controller-manager (later flags win). */
        public Builder controllerManagerArg(String arg) {
            extraControllerManagerArgs.add(arg);
            return this;
        }

        public RealControlPlane start() {
            RealControlPlane plane;
            try {
                plane = new RealControlPlane(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                plane.startAll();
                return plane;
            } catch (IOException e) {
                plane.close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                plane.close();
                throw e;
            }
        }
    }
}
