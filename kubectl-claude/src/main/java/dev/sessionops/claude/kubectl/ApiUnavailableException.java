package dev.sessionops.claude.kubectl;

/**
 * The operator's HTTP API could not be reached (connection refused, no such Service, the proxy denied, a 502/503):
 * {@code logs} and {@code run --follow} then read the pod log instead; history and export cannot do without it.
 */
final class ApiUnavailableException extends CliException {
    ApiUnavailableException(String message) {
        this(message, null);
    }

    ApiUnavailableException(String message, Throwable cause) {
        super(ExitCodes.UNREACHABLE, message, cause);
    }
}
