package dev.sessionops.claude.http;

import java.util.List;
import java.util.Map;

/** Who a bearer token belongs to, as the API server's TokenReview says. */
public record Caller(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
}
