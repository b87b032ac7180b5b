package dev.sessionops.claude.http;

/** An error the API answers with; {@link ApiExceptionMappers} turns it into an {@link ApiError} body. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String reason;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String reason, String message) {
        this(status, reason, message, null);
    }

    private ApiException(int status, String reason, String message, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "Unauthorized", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "Forbidden", message);
    }

    /** Worded like the API server: {@code claudesessions "x" not found in namespace "y"}. */
    public static ApiException notFound(String resource, String name, String namespace) {
        return new ApiException(404, "NotFound", resource + " \"" + name + "\" not found"
                + (namespace == null ? "" : " in namespace \"" + namespace + "\""));
    }

    /** 429: a limit of the API is reached; the answer carries {@code Retry-After: <retryAfterSeconds>}. */
    public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
        return new ApiException(429, "TooManyRequests", message, retryAfterSeconds);
    }

    /** Seconds for the {@code Retry-After} header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ApiError toError() {
        return new ApiError(status, reason, getMessage());
    }

    public int status() {
        return status;
    }
}
