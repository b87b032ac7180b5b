package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * The operator without a cluster: an embedded Kubernetes API on 127.0.0.1 (Fabric8's CRUD API server, with a
 * kubeconfig written for the CLI and kubectl), the {@link LocalKubelet} running each Job's container command as a
 * local process, and a persistent redis-server, all under one home directory (default
 * {@code ~/.claude-session-operator}). Sessions and messages are saved there too, so a restart keeps them.
 */
public final class LocalMode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalMode.class.getName());
    public static final String CREDENTIALS_SECRET = "anthropic";

    private final Settings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private KubernetesMockServer api;
    private KubernetesClient client;

    /**
     * @param home where the kubeconfig, the Redis data, the volumes and the saved objects live
     * @param apiPort the embedded API's port (0: any free one)
     * @param redisUrl an existing Redis to use instead of starting one
     * @param env the environment: credentials and ANTHROPIC_BASE_URL reach the runs from here
     */
    public record Settings(Path home, int apiPort, String redisUrl, Map<String, String> env) {
        public static Settings fromEnvironment() {
            Map<String, String> env = System.getenv();
            String home = System.getProperty("cso.local.home", env.get("CSO_LOCAL_HOME"));
            String port = System.getProperty("cso.local.api-port", env.getOrDefault("CSO_LOCAL_API_PORT", "0"));
            String redis = System.getProperty("quarkus.redis.hosts", env.get("QUARKUS_REDIS_HOSTS"));
            return new Settings(home == null ? Path.of(System.getProperty("user.home"), ".claude-session-operator") : Path.of(home),
                    Integer.parseInt(port), redis, env);
        }
    }

    private LocalMode(Settings settings) {
        this.settings = settings;
    }

    /** {@code --local} on the command line, or {@code cso.local=true} / {@code CSO_LOCAL=true}. */
    public static boolean requested(String[] args) {
        return Arrays.asList(args).contains("--local") || Boolean.parseBoolean(System.getProperty("cso.local"))
                || Boolean.parseBoolean(System.getenv("CSO_LOCAL"));
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
        createDirectories(home);

        String redisUrl = settings.redisUrl();
        if (redisUrl == null || redisUrl.isBlank()) {
            RedisServer redis = RedisServer.persistent(home.resolve("redis"));
            resources.add(redis);
            redisUrl = redis.uri();
        }

        int port = settings.apiPort() == 0 ? RedisServer.freePort() : settings.apiPort();
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        api = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses, List.of(namespaced(ClaudeSession.class), namespaced(ClaudeMessage.class))), false);
        api.init(InetAddress.getLoopbackAddress(), port);
        Discovery.serve(api);
        resources.add(api::destroy);
        String apiUrl = "http://127.0.0.1:" + port;
        Path kubeconfig = Kubeconfigs.write(home.resolve("kubeconfig"), apiUrl);
        client = api.createClient();
        resources.add(client);
        applyCrds();

        new SavedObjects(client, home.resolve("objects.json")).restoreThenKeepSaving(resources);
        boolean credentials = CredentialsSecrets.start(client, settings.env(), resources);

        List<Path> path = Arrays.stream(settings.env().getOrDefault("PATH", "").split(":"))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
        createDirectories(home.resolve("volumes"));
        LocalKubelet kubelet = LocalKubelet.start(api, client, LocalKubelet.Options.defaults()
                .withPath(path.toArray(Path[]::new)).withBaseDir(home.resolve("volumes")));
        resources.add(kubelet);

        // what the operator reads when Quarkus starts right after this
        // (the Quarkus client's api-server-url is fixed at build time; Fabric8's own settings are read at start)
        System.setProperty("kubeconfig", kubeconfig.toString());
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("quarkus.redis.hosts", redisUrl);
        System.setProperty("cso.leader-election.enabled", "false");
        if (credentials) {
            System.setProperty("cso.defaults.credentials-secret", CREDENTIALS_SECRET);
        }
        String baseUrl = settings.env().get("ANTHROPIC_BASE_URL");
        if (baseUrl != null && !baseUrl.isBlank()) {
            System.setProperty("cso.defaults.env.ANTHROPIC_BASE_URL", baseUrl);
        }
        LOG.info("Local mode: Kubernetes API " + apiUrl + " (KUBECONFIG=" + kubeconfig + "), Redis " + redisUrl
                + ", data in " + home + (credentials ? "" : "; no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN set"));
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
    private void applyCrds() {
        for (String plural : List.of("claudesessions", "claudemessages")) {
            String resource = "META-INF/cso/crds/" + plural + "." + HasMetadata.getGroup(ClaudeSession.class) + "-v1.yml";
            try (var in = LocalMode.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not in the operator's jar");
                }
                client.load(in).createOrReplace();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Tells the embedded API our resources are namespaced (it learns it before any CRD is applied). */
    private static CustomResourceDefinitionContext namespaced(Class<? extends HasMetadata> type) {
        return new CustomResourceDefinitionContext.Builder().withGroup(HasMetadata.getGroup(type))
                .withVersion(HasMetadata.getVersion(type)).withPlural(HasMetadata.getPlural(type))
                .withKind(HasMetadata.getKind(type)).withScope("Namespaced").build();
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
