package dev.sessionops.claude.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The model API keys, read from their Secrets in the operator's own namespace (a Role there, by name: never a
 * tenant's Secret) and kept {@value #CACHE_SECONDS} s, so a rotated key is in use within that long. The values stay in
 * this class and the upstream request; nothing logs them.
 */
final class KeyRegistry {
    static final long CACHE_SECONDS = 30;

    private final KubernetesClient client;
    private final String namespace;
    private final KeyMappings mappings;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<String> value, Instant until) {
    }

    KeyRegistry(KubernetesClient client, String namespace, KeyMappings mappings, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.mappings = mappings;
        this.clock = clock;
    }

    Optional<KeyMappings.RegisteredKey> registered(String tenantNamespace) {
        return mappings.forNamespace(tenantNamespace);
    }

    /** The key's value; empty when its Secret or its key is missing. */
    Optional<String> value(KeyMappings.RegisteredKey key) {
        String id = key.secret() + "/" + key.key();
        Instant now = clock.instant();
        Cached cached = cache.get(id);
        if (cached == null || now.isAfter(cached.until())) {
            cached = new Cached(read(key), now.plus(Duration.ofSeconds(CACHE_SECONDS)));
            cache.put(id, cached);
        }
        return cached.value();
    }

    private Optional<String> read(KeyMappings.RegisteredKey key) {
        Secret secret = client.secrets().inNamespace(namespace).withName(key.secret()).get();
        if (secret == null) {
            return Optional.empty();
        }
        String value = null;
        if (secret.getData() != null && secret.getData().get(key.key()) != null) {
            value = new String(Base64.getDecoder().decode(secret.getData().get(key.key())), StandardCharsets.UTF_8);
        } else if (secret.getStringData() != null) {
            value = secret.getStringData().get(key.key());
        }
        // a key written from a file often ends with a newline, which no header may carry
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
