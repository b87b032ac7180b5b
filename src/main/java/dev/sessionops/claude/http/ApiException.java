package dev.sessionops.claude.http;

/** An error the API answers with; {@link ApiExceptionMappers} turns it into an {@link ApiError} body. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String reason;

    public ApiException(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
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

    public ApiError toError() {
        return new ApiError(status, reason, getMessage());
    }

    public int status() {
        return status;
    }
}
