package dev.sessionops.claude.api.aggregation;

import java.util.Map;

/**
 * The kube-apiserver's contract with aggregated API servers: the ConfigMap
 * {@code kube-system/extension-apiserver-authentication} and its front-proxy keys. The operator reads it to trust the
 * front proxy; local mode, which plays the kube-apiserver, writes it. One spelling of the keys for both.
 */
public final class ExtensionApiserverAuthentication {
    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "extension-apiserver-authentication";
    public static final String CA_KEY = "requestheader-client-ca-file";
    public static final String ALLOWED_NAMES_KEY = "requestheader-allowed-names";
    public static final String USERNAME_HEADERS_KEY = "requestheader-username-headers";
    public static final String GROUP_HEADERS_KEY = "requestheader-group-headers";
    public static final String EXTRA_PREFIXES_KEY = "requestheader-extra-headers-prefix";

    private ExtensionApiserverAuthentication() {
    }

    /**
     * The ConfigMap's data as a kube-apiserver started with the usual front-proxy flags publishes it (header names
     * {@code X-Remote-User}, {@code X-Remote-Group}, {@code X-Remote-Extra-}).
     */
    public static Map<String, String> published(String caPem, String allowedName) {
        return Map.of(CA_KEY, caPem, ALLOWED_NAMES_KEY, "[\"" + allowedName + "\"]",
                USERNAME_HEADERS_KEY, "[\"X-Remote-User\"]", GROUP_HEADERS_KEY, "[\"X-Remote-Group\"]",
                EXTRA_PREFIXES_KEY, "[\"X-Remote-Extra-\"]");
    }
}
