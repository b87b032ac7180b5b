package dev.sessionops.claude.http;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every error of the API as a Kubernetes {@code Status}, so {@code kubectl get --raw} and any Kubernetes client read
 * it as they read the API server's own: {@code {"kind":"Status","apiVersion":"v1","status":"Failure","code":404,
 * "reason":"NotFound","message":…,"details":{"name":…,"kind":…}}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String kind, String apiVersion, Map<String, Object> metadata, String status, String message,
        String reason, Details details, int code) {

    /** What the error is about, when it is one object (a NotFound). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(String name, String group, String kind) {
    }

    public static ApiError of(int code, String reason, String message, Details details) {
        return new ApiError("Status", "v1", Map.of(), "Failure", message, reason, details, code);
    }
}
