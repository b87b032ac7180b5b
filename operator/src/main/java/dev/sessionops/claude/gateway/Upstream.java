package dev.sessionops.claude.gateway;

import java.net.URI;

/** The model API the gateway forwards to, from its base URL ({@code https://api.anthropic.com}, a path allowed). */
record Upstream(boolean ssl, String host, int port, String basePath) {

    static Upstream of(String baseUrl) {
        URI uri = URI.create(baseUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("the gateway's upstream must be an http or https URL: " + baseUrl);
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("the gateway's upstream must be a plain base URL (host, port, path): " + baseUrl);
        }
        boolean ssl = scheme.equals("https");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return new Upstream(ssl, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80, path);
    }
}
