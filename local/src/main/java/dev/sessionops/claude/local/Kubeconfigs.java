package dev.sessionops.claude.local;

import java.nio.file.Path;

/**
 * The kubeconfigs of local mode: one context, {@code cso-local}, with the start's bearer token; the user's points at
 * the API front, the operator's at the embedded API's internal port. Both are written 0600: the token is the key to
 * everything local mode runs.
 */
final class Kubeconfigs {
    static final String CONTEXT = "cso-local";

    private Kubeconfigs() {
    }

    static String render(String server, String token) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                users:
                - name: %1$s
                  user:
                    token: %3$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                """.formatted(CONTEXT, server, token);
    }

    static Path write(Path file, String server, LocalToken token) {
        Pki.writePrivate(file, render(server, token.value()));
        return file;
    }
}
