package dev.sessionops.claude.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.OperatorConfig;

/**
 * Which registered key serves which tenant namespace ({@code cso.gateway.keys.<name>.namespaces}): a namespace named
 * by a key gets that key, else the key naming {@code *}, else none. Each namespace, and {@code *}, may be named by one
 * key only: two would make the choice arbitrary, so the operator does not start.
 */
public final class KeyMappings {
    public static final String EVERY_NAMESPACE = "*";

    /** One registered key: its name (for messages and logs) and where its value is. */
    public record RegisteredKey(String name, String secret, String key) {
    }

    private final Map<String, RegisteredKey> byNamespace;

    private KeyMappings(Map<String, RegisteredKey> byNamespace) {
        this.byNamespace = byNamespace;
    }

    public static KeyMappings of(Map<String, OperatorConfig.Gateway.KeyMapping> keys) {
        Map<String, RegisteredKey> byNamespace = new LinkedHashMap<>();
        keys.forEach((name, mapping) -> {
            RegisteredKey registered = new RegisteredKey(name, mapping.secret(), mapping.key());
            for (String namespace : mapping.namespaces()) {
                String ns = namespace.strip();
                RegisteredKey other = byNamespace.putIfAbsent(ns, registered);
                if (other != null) {
                    throw new IllegalArgumentException("cso.gateway.keys: namespace " + ns + " is named by both "
                            + other.name() + " and " + name);
                }
            }
        });
        return new KeyMappings(byNamespace);
    }

    public Optional<RegisteredKey> forNamespace(String namespace) {
        RegisteredKey exact = byNamespace.get(namespace);
        return Optional.ofNullable(exact != null ? exact : byNamespace.get(EVERY_NAMESPACE));
    }

    /** The Secrets the gateway reads (the chart's Role names the same). */
    public java.util.Set<String> secrets() {
        java.util.Set<String> secrets = new java.util.TreeSet<>();
        byNamespace.values().forEach(k -> secrets.add(k.secret()));
        return secrets;
    }
}
