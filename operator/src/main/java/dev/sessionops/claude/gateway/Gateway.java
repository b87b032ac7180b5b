package dev.sessionops.claude.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The credential gateway of this replica (every replica serves it, leader or not): started with the application when
 * {@code cso.gateway.enabled}, it issues the per-message tokens the planner puts in a run's Job and serves the model
 * API they unlock. Its signing key comes from {@code cso.gateway.signing-secret} in the operator's namespace, so every
 * replica verifies what any other issued; without it (or without {@code cso.gateway.url}) the operator does not start.
 */
@ApplicationScoped
public class Gateway {
    private static final Logger LOG = Logger.getLogger(Gateway.class);
    /** The key of the signing Secret that holds the signing key. */
    public static final String SIGNING_KEY = "signing-key";
    /** How a run's base URL names its message. */
    static final String MESSAGE_PATH = "/m/";

    private final OperatorConfig.Gateway config;
    private final KubernetesClient client;
    private final RedisDataSource redis;
    private final Vertx vertx;
    private final String operatorNamespace;
    private final Clock clock = Clock.systemUTC();
    private volatile TokenSigner signer;
    private volatile KeyMappings mappings;
    private volatile UsageLedger ledger;
    private GatewayProxy proxy;

    public Gateway(OperatorConfig config, KubernetesClient client, RedisDataSource redis, Vertx vertx) {
        this.config = config.gateway();
        this.client = client;
        this.redis = redis;
        this.vertx = vertx;
        this.operatorNamespace = config.leaderElection().leaseNamespace().orElse(client.getConfiguration().getNamespace());
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        String url = config.url().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                "cso.gateway.enabled needs cso.gateway.url: how runs reach the gateway (the operator's Service)"));
        Upstream.of(config.upstream());
        mappings = KeyMappings.of(config.keys());
        signer = new TokenSigner(signingKey());
        ledger = new UsageLedger(redis, config.budgetWindow(), clock);
        KeyRegistry keys = new KeyRegistry(client, operatorNamespace, mappings, clock);
        Gatekeeper gatekeeper = new ClusterGatekeeper(new MessageLiveness(client, clock), keys, ledger,
                config.namespaceBudgetUsd(), clock);
        proxy = new GatewayProxy(vertx, new GatewayProxy.Settings(config.host(), config.port(), config.upstream(),
                config.maxBodyBytes()), signer, gatekeeper, ledger, clock).start();
        LOG.infof("credential gateway: runs reach it at %s; keys %s in namespace %s", url, mappings.secrets(), operatorNamespace);
    }

    void stop(@Observes ShutdownEvent event) {
        if (proxy != null) {
            proxy.close();
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Whether a key is registered for runs of {@code namespace}. */
    public boolean servesNamespace(String namespace) {
        return mappings().forNamespace(namespace).isPresent();
    }

    /**
     * A run's access for the message {@code namespace/name} (uid {@code uid}), valid for {@code lifetime} (the run's
     * timeout; {@code cso.gateway.max-token-lifetime} when it has none or a longer one).
     */
    public RunAccess access(String namespace, String name, String uid, Duration lifetime) {
        Duration max = config.maxTokenLifetime();
        Duration valid = lifetime == null || lifetime.compareTo(max) > 0 ? max : lifetime;
        String token = signer().sign(new TokenClaims(namespace, name, uid, Instant.now(clock).plus(valid)));
        String base = config.url().orElseThrow().replaceAll("/+$", "");
        return new RunAccess(base + MESSAGE_PATH + namespace + "/" + name, token);
    }

    /** What the gateway recorded for a message; empty without the gateway or without a record. */
    public Optional<UsageLedger.MessageRecord> recordOf(String namespace, String uid) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        return ledger().of(namespace, uid);
    }

    private byte[] signingKey() {
        String name = config.signingSecret().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "cso.gateway.enabled needs cso.gateway.signing-secret: a Secret in namespace " + operatorNamespace
                        + " whose " + SIGNING_KEY + " signs the per-message tokens"));
        Secret secret = client.secrets().inNamespace(operatorNamespace).withName(name).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(SIGNING_KEY);
        if (encoded == null) {
            throw new IllegalStateException("credential gateway: Secret " + operatorNamespace + "/" + name + " has no "
                    + SIGNING_KEY);
        }
        byte[] key = Base64.getDecoder().decode(encoded);
        if (key.length < TokenSigner.MIN_KEY_BYTES) {
            throw new IllegalStateException("credential gateway: the " + SIGNING_KEY + " of Secret " + operatorNamespace + "/"
                    + name + " has " + key.length + " bytes; at least " + TokenSigner.MIN_KEY_BYTES + " are needed");
        }
        return key;
    }

    private TokenSigner signer() {
        if (signer == null) {
            throw new IllegalStateException("the credential gateway has not started");
        }
        return signer;
    }

    private KeyMappings mappings() {
        if (mappings == null) {
            mappings = KeyMappings.of(config.keys());
        }
        return mappings;
    }

    private UsageLedger ledger() {
        if (ledger == null) {
            ledger = new UsageLedger(redis, config.budgetWindow(), clock);
        }
        return ledger;
    }

}
