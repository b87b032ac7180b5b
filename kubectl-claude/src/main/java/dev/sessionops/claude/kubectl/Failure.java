package dev.sessionops.claude.kubectl;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A failed command as what the user sees: one line and an exit code of {@link ExitCodes}. Transport failures (the
 * API server went away, refused the connection, TLS failed) become "cannot reach the Kubernetes API at URL: why",
 * whatever layer (Fabric8, Vert.x, Netty, the JDK) reported them.
 *
 * @param exitCode one of {@link ExitCodes}
 * @param message  the line, without the {@code error: } prefix
 */
record Failure(int exitCode, String message) {

    /** @param server the Kubernetes API the command talked to (the kubeconfig's), null before it was read */
    static Failure of(Throwable e, String server) {
        if (e instanceof CliException c && c.exitCode() != ExitCodes.UNREACHABLE && c.exitCode() != ExitCodes.FAILED) {
            return new Failure(c.exitCode(), c.getMessage()); // said for the user already, whatever its cause
        }
        String unreachable = transportProblem(e);
        if (unreachable != null) {
            // an ApiUnavailableException already names the operator's API and where it was looked for
            String what = e instanceof ApiUnavailableException ? e.getMessage()
                    : "cannot reach the Kubernetes API" + (server == null ? "" : " at " + withoutSlash(server)) + ": "
                            + unreachable;
            return new Failure(ExitCodes.UNREACHABLE, what);
        }
        if (e instanceof CliException c) {
            return new Failure(c.exitCode(), c.getMessage());
        }
        if (e instanceof KubernetesClientException k) {
            return kubernetes(k);
        }
        return new Failure(ExitCodes.FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
    }

    private static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** An answer of the API server: its Status message, the exit code by its HTTP code. */
    private static Failure kubernetes(KubernetesClientException k) {
        String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
                : k.getMessage();
        int code = switch (k.getCode()) {
            case 404 -> ExitCodes.NOT_FOUND;
            case 400, 409, 422 -> ExitCodes.USAGE; // the request was refused for what it asked: the input
            default -> ExitCodes.UNREACHABLE; // 401, 403, 429, 5xx: the API refused, whatever was asked
        };
        return new Failure(code, message);
    }

    /** Why nothing answered, in a few words, or null when something did (or the failure is not about a connection). */
    static String transportProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String s = describe(t);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        if (t instanceof ConnectException) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase();
            return m.contains("timed out") ? "connection timed out" : "connection refused";
        }
        if (t instanceof UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (t instanceof SSLException) {
            return "TLS failed: " + t.getMessage();
        }
        if (t instanceof SocketTimeoutException || t instanceof TimeoutException) {
            return "no answer in time";
        }
        if (t instanceof EOFException || t instanceof ClosedChannelException
                || t.getClass().getName().equals("io.vertx.core.http.HttpClosedException")) {
            return "the connection was closed";
        }
        return null;
    }
}
