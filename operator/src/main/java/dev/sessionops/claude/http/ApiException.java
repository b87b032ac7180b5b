package dev.sessionops.claude.http;

/** An error the API answers with; {@link ApiExceptionMappers} turns it into an {@link ApiError} (Status) body. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String reason;
    private final ApiError.Details details;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String reason, String message) {
        this(status, reason, message, null, null);
    }

    private ApiException(int status, String reason, String message, ApiError.Details details, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.details = details;
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

    public static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message);
    }

    /** Worded like the API server: {@code claudesessions.claude.sessionops.dev "x" not found}. */
    public static ApiException notFound(String resource, String group, String name) {
        String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
        return new ApiException(404, "NotFound", qualified + " \"" + name + "\" not found",
                new ApiError.Details(name, group, resource), null);
    }

    /** 429: a limit of the API is reached; the answer carries {@code Retry-After: <retryAfterSeconds>}. */
    public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
        return new ApiException(429, "TooManyRequests", message, null, retryAfterSeconds);
    }

    /** Seconds for the {@code Retry-After} header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ApiError toError() {
        return ApiError.of(status, reason, getMessage(), details);
    }

    public int status() {
        return status;
    }
}
