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
        return render(server, null, token);
    }

    /** @param caPem the CA the server's certificate chains to (an https server), or null */
    static String render(String server, String caPem, String token) {
        String ca = caPem == null ? "" : "\n    certificate-authority-data: "
                + java.util.Base64.getEncoder().encodeToString(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s%4$s
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
                """.formatted(CONTEXT, server, token, ca);
    }

    static Path write(Path file, String server, LocalToken token) {
        return write(file, server, null, token);
    }

    static Path write(Path file, String server, String caPem, LocalToken token) {
        Pki.writePrivate(file, render(server, caPem, token.value()));
        return file;
    }
}
