package dev.sessionops.claude.kubectl;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

import io.fabric8.kubernetes.client.Config;

/**
 * The kubeconfig's credentials go only where they are safe: over TLS, or over plain HTTP to this machine's loopback
 * (local mode). A kubeconfig that would send a token or password in clear text across a network is refused before
 * any request is made.
 */
final class Credentials {
    private Credentials() {
    }

    static void requireSafeTransport(Config config) {
        URI server;
        try {
            server = URI.create(config.getMasterUrl());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the kubeconfig's server is not a URL: " + config.getMasterUrl());
        }
        if (!"http".equalsIgnoreCase(server.getScheme()) || !hasCredentials(config) || isLoopback(server.getHost())) {
            return;
        }
        throw CliException.usage("refusing to send the kubeconfig's credentials over plain HTTP to " + server.getHost()
                + ": use an https:// server (plain HTTP is accepted only on loopback, as local mode serves it)");
    }

    static boolean hasCredentials(Config config) {
        return notBlank(config.getOauthToken()) || notBlank(config.getAutoOAuthToken()) || notBlank(config.getPassword())
                || config.getOauthTokenProvider() != null || config.getAuthProvider() != null;
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false; // a name other than localhost: resolving it could point anywhere
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
