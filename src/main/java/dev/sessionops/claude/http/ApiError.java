package dev.sessionops.claude.http;

/** Every error of the API, in the shape of a Kubernetes Status: {@code {"status":404,"reason":"NotFound","message":…}}. */
public record ApiError(int status, String reason, String message) {
}
