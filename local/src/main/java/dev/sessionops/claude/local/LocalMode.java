package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.aggregation.ExtensionApiserverAuthentication;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * The operator without a cluster: an embedded Kubernetes API (Fabric8's CRUD API server) behind an {@link ApiFront}
 * that plays the kube-apiserver's aggregation layer for the operator's API, the {@link LocalKubelet} running the
 * operator's Jobs as local processes, and a persistent redis-server, all under one home directory (default
 * {@code ~/.claude-session-operator}); then the packaged operator itself as a child process ({@link OperatorChild}),
 * the same artifact a cluster runs. Sessions and messages are saved there too, so a restart keeps them.
 * <p>
 * Locked down as a shared machine needs it, since a container's own processes (the agent's Bash tool) run on the same
 * host: every socket on 127.0.0.1; one random bearer token per start, required by the front and by the embedded API,
 * and only in the two 0600 kubeconfigs; the operator's API over HTTPS only, trusting the caller identity only from
 * the front (front-proxy client certificate); only the operator's Jobs run, never as uid 0; the home 0700, its files
 * 0600.
 *
 * <pre>
 * kubectl / kubectl claude ──token──▶ front 127.0.0.1:&lt;kubeconfig port&gt;
 *     /apis/api.claude.sessionops.dev/… ──TLS, front-proxy cert, X-Remote-User──▶ operator 127.0.0.1:&lt;ssl-port&gt;
 *     everything else ──token──▶ embedded API 127.0.0.1:&lt;internal port&gt; ◀──token── operator's client, kubelet
 * </pre>
 */
public final class LocalMode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalMode.class.getName());
    public static final String CREDENTIALS_SECRET = "anthropic";
    /** The user's kubeconfig (the front) and the operator's (the embedded API directly). */
    static final String KUBECONFIG = "kubeconfig";
    static final String OPERATOR_KUBECONFIG = "operator-kubeconfig";
    static final String PKI = "pki";
    /** The front-proxy client certificate's CN, the one name the operator accepts identity headers from. */
    static final String FRONT_PROXY_CN = "front-proxy-client";

    private final Settings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private KubernetesMockServer api;
    private KubernetesClient client;
    private OperatorChild operator;

    /**
     * @param home where the kubeconfigs, the certificates, the Redis data, the volumes and the saved objects live
     * @param apiPort the API's port, the one in the kubeconfig (0: any free one)
     * @param redisUrl an existing Redis to use instead of starting one
     * @param env the environment: credentials and ANTHROPIC_BASE_URL reach the runs from here
     * @param user who the local user is to the operator ({@code X-Remote-User}) and to the reviews
     * @param operatorJar the packaged operator ({@code quarkus-run.jar}), started as a child process
     */
    public record Settings(Path home, int apiPort, String redisUrl, Map<String, String> env, String user, Path operatorJar) {
        public static Settings fromEnvironment(Path operatorJar) {
            return fromEnvironment(operatorJar, null, null);
        }

        /** @param home, apiPort from the command line (null: from the environment, else the defaults) */
        public static Settings fromEnvironment(Path operatorJar, Path home, Integer apiPort) {
            Map<String, String> env = System.getenv();
            String homeSetting = System.getProperty("cso.local.home", env.get("CSO_LOCAL_HOME"));
            String port = System.getProperty("cso.local.api-port", env.get("CSO_LOCAL_API_PORT"));
            String redis = System.getProperty("quarkus.redis.hosts", env.get("QUARKUS_REDIS_HOSTS"));
            Path resolvedHome = home != null ? home : homeSetting != null && !homeSetting.isBlank() ? Path.of(homeSetting)
                    : Path.of(System.getProperty("user.home"), ".claude-session-operator");
            int resolvedPort = apiPort != null ? apiPort : port == null || port.isBlank() || port.equals("0") ? 0
                    : LocalArgs.port(port);
            return new Settings(resolvedHome.toAbsolutePath(), resolvedPort, redis, env, localUser(), operatorJar);
        }

        /** The login name of whoever runs local mode ({@code user.name}); {@code local} when there is none. */
        static String localUser() {
            String name = System.getProperty("user.name");
            return name == null || name.isBlank() ? "local" : name;
        }
    }

    private LocalMode(Settings settings) {
        this.settings = settings;
    }

    public static LocalMode start(Settings settings) {
        LocalMode mode = new LocalMode(settings);
        try {
            mode.startAll();
            return mode;
        } catch (RuntimeException e) {
            mode.close();
            throw e;
        }
    }

    private void startAll() {
        Path home = settings.home();
        privateDirectory(home);
        lockDown(home);

        String redisUrl = settings.redisUrl();
        String redisShown = redisUrl;
        if (redisUrl == null || redisUrl.isBlank()) {
            RedisServer redis = RedisServer.persistent(home.resolve("redis"));
            resources.add(redis);
            redisUrl = redis.uri();
            redisShown = redis.displayUri() + " (password in " + home.resolve("redis").resolve(RedisServer.CONFIG) + ")";
        } else {
            redisShown = redisUrl.replaceAll("//[^@/]*@", "//***@");
        }

        // one start, one identity: a new CA, certificates and token each time (nothing to rotate, nothing reused)
        Path pki = privateDirectory(home.resolve(PKI));
        Pki.Issued ca = Pki.ca("claude-session-operator local CA");
        Pki.Issued serving = Pki.server(ca, "claude-session-operator", List.of("localhost"), List.of("127.0.0.1"));
        Pki.Issued frontProxy = Pki.client(ca, FRONT_PROXY_CN, List.of()); // in memory only: the front is in this process
        Pki.Issued frontServing = Pki.server(ca, "claude-session-operator local API", List.of("localhost"),
                List.of("127.0.0.1", "::1")); // in memory only: the kubeconfig carries the CA
        Pki.writePrivate(pki.resolve("ca.crt"), ca.certPem());
        serving.write(pki.resolve("operator.crt"), pki.resolve("operator.key"));
        LocalToken token = LocalToken.generate();
        String user = settings.user();

        int[] ports = distinctFreePorts(4, settings.apiPort());
        int internalPort = ports[0];
        int frontPort = settings.apiPort() == 0 ? ports[1] : settings.apiPort();
        int operatorPort = ports[2];
        int managementPort = ports[3];

        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        // the storage itself (no expectations here), so a restored object can get its identity back (SavedObjects)
        KubernetesCrudDispatcher store = new KubernetesCrudDispatcher(List.of(namespaced(ClaudeSession.class),
                namespaced(ClaudeMessage.class)));
        api = new KubernetesMockServer(new Context(), new MockWebServer(), responses, store, false);
        EmbeddedApiGuard.install(api, token, user); // before it listens: no request ever passes without the token
        api.init(loopbackV4(), internalPort);
        List<byte[]> crdFiles = crdFiles();
        CustomResources customResources = CustomResources.of(crdFiles.stream().map(LocalMode::yamlTree).toList());
        Discovery.serve(api, customResources);
        ServerSideApply.serve(api); // the packaged operator applies server-side (status, finalizers, creates)
        EventSelectors.serve(api); // kubectl describe asks for an object's Events by field selector
        resources.add(api::destroy);
        String internalUrl = "http://127.0.0.1:" + internalPort;
        Path operatorKubeconfig = Kubeconfigs.write(home.resolve(OPERATOR_KUBECONFIG), internalUrl, token);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Kubeconfigs.render(internalUrl, token.value())))
                .build();
        resources.add(client);
        applyCrds(crdFiles);
        publishFrontProxyTrust(ca);

        new SavedObjects(client, home.resolve("objects.json"), store).restoreThenKeepSaving(resources);
        Optional<String> credentialsKey = CredentialsSecrets.start(client, settings.env(), resources);
        boolean credentials = credentialsKey.isPresent();

        List<Path> path = Arrays.stream(settings.env().getOrDefault("PATH", "").split(":"))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
        Path volumes = privateDirectory(home.resolve("volumes"));
        LocalKubelet kubelet = LocalKubelet.start(api, client, LocalKubelet.Options.defaults()
                .withPath(path.toArray(Path[]::new)).withBaseDir(volumes).withOperatorJobsOnly()
                .withKillGracePeriod(Duration.ofSeconds(30))); // the pods' own grace: a stopped run ends gracefully
        resources.add(kubelet);
        // the embedded API has no garbage collector: deleting a session must take its messages, Jobs and claim along
        resources.add(new GarbageCollector(client, claim -> kubelet.volumes().claimDir(claim.getMetadata().getNamespace(),
                claim.getMetadata().getName())).start());
        if (kubelet.containersSeeHostPaths()) {
            setPermissions(home, "rwx--x--x");
            LOG.warning("Local mode: without unshare, containers reach their volumes by host path: " + home
                    + " lets others traverse it (not list it)");
        }

        ApiFront front = ApiFront.start(new ApiFront.Options("127.0.0.1", frontPort, URI.create(internalUrl), null,
                new ApiFront.OperatorUpstream("127.0.0.1", operatorPort, ca.certPem(), frontProxy.certPem(), frontProxy.keyPem()),
                t -> token.matches(t) ? Optional.of(new ApiFront.User(user, List.of(EmbeddedApiGuard.AUTHENTICATED)))
                        : Optional.empty(),
                true, new ApiFront.Serving(frontServing.certPem(), frontServing.keyPem()), customResources));
        resources.add(front);
        String frontUrl = "https://127.0.0.1:" + front.port();
        Path kubeconfig = Kubeconfigs.write(home.resolve(KUBECONFIG), frontUrl, ca.certPem(), token);

        // the operator's settings: plain ones as -D, the Redis URL (it may hold a password) in its environment only
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("kubeconfig", operatorKubeconfig.toString());
        properties.put("kubernetes.auth.tryServiceAccount", "false");
        properties.put("cso.leader-election.enabled", "false");
        // the API over HTTPS on loopback only, for the front's client certificate; health and metrics on loopback too
        properties.put("quarkus.http.host", "127.0.0.1");
        properties.put("quarkus.http.ssl-port", String.valueOf(operatorPort));
        properties.put("quarkus.http.ssl.certificate.files", pki.resolve("operator.crt").toString());
        properties.put("quarkus.http.ssl.certificate.key-files", pki.resolve("operator.key").toString());
        properties.put("quarkus.http.insecure-requests", "disabled");
        properties.put("quarkus.management.host", "127.0.0.1");
        properties.put("quarkus.management.port", String.valueOf(managementPort));
        if (credentials) {
            properties.put("cso.defaults.credentials-secret", CREDENTIALS_SECRET);
            properties.put("cso.defaults.credentials-key", credentialsKey.get());
        }
        String baseUrl = settings.env().get("ANTHROPIC_BASE_URL");
        if (baseUrl != null && !baseUrl.isBlank()) {
            properties.put("cso.defaults.env.ANTHROPIC_BASE_URL", baseUrl);
        }
        operator = OperatorChild.start(settings.operatorJar(), properties, Map.of("QUARKUS_REDIS_HOSTS", redisUrl),
                settings.env());
        resources.add(operator);
        LOG.info("Local mode: Kubernetes API " + frontUrl + " (KUBECONFIG=" + kubeconfig + ", for kubectl and kubectl claude), Redis "
                + redisShown + ", data in " + home + ", operator API https://127.0.0.1:" + operatorPort + " (through the front only)"
                + (credentials ? "" : "; no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN set"));
        LOG.info("Local mode: next, in another shell: export KUBECONFIG=" + kubeconfig
                + "; kubectl claude run \"Say hello\" --new-session demo --follow");
    }

    /**
     * What a cluster publishes for aggregated API servers: the CA of the front proxy's client certificate and the
     * headers it sets, in {@code kube-system/extension-apiserver-authentication}, keyed as the kube-apiserver writes it.
     */
    private void publishFrontProxyTrust(Pki.Issued ca) {
        ConfigMap trust = new ConfigMapBuilder().withNewMetadata().withName(ExtensionApiserverAuthentication.NAME).withNamespace(ExtensionApiserverAuthentication.NAMESPACE)
                .endMetadata()
                .withData(ExtensionApiserverAuthentication.published(ca.certPem(), FRONT_PROXY_CN))
                .build();
        client.configMaps().inNamespace(ExtensionApiserverAuthentication.NAMESPACE).resource(trust).createOr(r -> r.update());
    }

    /** Waits until the operator process ends (a crash, or a stop from outside), then returns its exit code. */
    public int awaitOperator() throws InterruptedException {
        return operator.waitFor();
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warning("Local mode: closing " + resources.get(i) + ": " + e);
            }
        }
        resources.clear();
    }

    /** The CRDs (packaged from crds/), so that kubectl and the operator's CRD check find them. */
    /** The operator's two CRDs, as its jar ships them. */
    private static List<byte[]> crdFiles() {
        List<byte[]> files = new ArrayList<>();
        for (String plural : List.of("claudesessions", "claudemessages")) {
            String resource = "META-INF/cso/crds/" + plural + "." + HasMetadata.getGroup(ClaudeSession.class) + "-v1.yml";
            try (var in = LocalMode.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not in the operator's jar");
                }
                files.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static JsonNode yamlTree(byte[] yaml) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void applyCrds(List<byte[]> files) {
        files.forEach(yaml -> client.load(new java.io.ByteArrayInputStream(yaml)).createOrReplace());
    }

    /** Tells the embedded API our resources are namespaced (it learns it before any CRD is applied). */
    static CustomResourceDefinitionContext namespaced(Class<? extends HasMetadata> type) {
        return new CustomResourceDefinitionContext.Builder().withGroup(HasMetadata.getGroup(type))
                .withVersion(HasMetadata.getVersion(type)).withPlural(HasMetadata.getPlural(type))
                .withKind(HasMetadata.getKind(type)).withScope("Namespaced").build();
    }

    /**
     * {@code n} ports on 127.0.0.1 that were free a moment ago, all different (and not {@code taken}): each probe socket
     * is held until all are chosen, else the system may hand out the same port twice in a row.
     */
    static int[] distinctFreePorts(int n, int taken) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket socket;
                do {
                    socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(socket);
                } while (socket.getLocalPort() == taken);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // a probe: nothing to keep
                }
            }
        }
    }

    /** 127.0.0.1 itself, whatever the JVM's IPv6 preference makes of "the loopback address". */
    static InetAddress loopbackV4() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates the directory (and parents) if needed and makes it 0700. */
    static Path privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        setPermissions(dir, "rwx------");
        return dir;
    }

    /**
     * Directories 0700 and files 0600 under the home, as an earlier version may have left them (the volumes are the
     * containers' and keep theirs; symbolic links are not followed).
     */
    static void lockDown(Path home) {
        Path volumes = home.resolve("volumes");
        try (var paths = Files.walk(home)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.startsWith(volumes) && !p.equals(volumes)) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    setPermissions(p, "rwx------");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    setPermissions(p, "rw-------");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setPermissions(Path p, String permissions) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
