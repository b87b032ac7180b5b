package dev.sessionops.claude.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;

/**
 * The front-proxy trust the API server publishes ({@link FrontProxyConfig}), kept in memory and re-read in the
 * background, so a request never waits for the API server to be authenticated: before the first read succeeds every
 * request is refused (503), and a certificate the current CA does not verify asks for an early re-read (the CA may
 * have rotated) while the request itself is refused.
 */
@ApplicationScoped
public class FrontProxyTrust {
    private static final Logger LOG = Logger.getLogger(FrontProxyTrust.class);
    static final Duration RETRY = Duration.ofSeconds(2);
    static final Duration EARLIEST_EARLY_REFRESH = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final Duration refresh;
    private final AtomicReference<FrontProxyConfig> current = new AtomicReference<>();
    private final ScheduledExecutorService loader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "front-proxy-trust");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastLoad = System.nanoTime() - EARLIEST_EARLY_REFRESH.toNanos();
    private volatile String lastProblem;

    public FrontProxyTrust(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.refresh = config.api().authentication().refresh();
    }

    void start(@Observes StartupEvent event) {
        loader.execute(this::loadAndReschedule);
    }

    @PreDestroy
    void stop() {
        loader.shutdownNow();
    }

    /** The configuration, or empty until it has been read once. */
    public Optional<FrontProxyConfig> current() {
        return Optional.ofNullable(current.get());
    }

    /** A certificate did not verify: re-read soon, at most every {@link #EARLIEST_EARLY_REFRESH}. */
    public void suspectStale() {
        if (System.nanoTime() - lastLoad >= EARLIEST_EARLY_REFRESH.toNanos()) {
            lastLoad = System.nanoTime();
            try {
                loader.execute(this::load);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    private void loadAndReschedule() {
        boolean ok = load();
        try {
            loader.schedule(this::loadAndReschedule, (ok ? refresh : RETRY).toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** One read; a failed read keeps the last good configuration (an API server hiccup must not lock everyone out). */
    boolean load() {
        lastLoad = System.nanoTime();
        try {
            ConfigMap map = client.configMaps().inNamespace(FrontProxyConfig.NAMESPACE).withName(FrontProxyConfig.NAME).get();
            if (map == null) {
                throw new IllegalArgumentException("ConfigMap " + FrontProxyConfig.NAMESPACE + "/" + FrontProxyConfig.NAME
                        + " does not exist: the API server cannot proxy to aggregated APIs");
            }
            current.set(FrontProxyConfig.parse(map.getData()));
            if (lastProblem != null) {
                LOG.infof("HTTP API: front-proxy trust read from %s/%s", FrontProxyConfig.NAMESPACE, FrontProxyConfig.NAME);
            }
            lastProblem = null;
            return true;
        } catch (RuntimeException e) {
            String problem = e.getMessage();
            if (!problem.equals(lastProblem)) {
                // once per distinct problem: the retry every 2 s would otherwise flood the log
                LOG.warnf("HTTP API: cannot read the front-proxy trust (requests are refused until it is read): %s", problem);
            }
            lastProblem = problem;
            return false;
        }
    }
}
