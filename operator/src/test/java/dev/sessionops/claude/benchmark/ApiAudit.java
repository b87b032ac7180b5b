package dev.sessionops.claude.benchmark;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Counts API requests where they land: the kube-apiserver's audit log. The API server writes one event per request
 * of the users the policy names (Metadata level, only the {@code ResponseComplete} stage), so a count includes
 * every request a client made, whatever its library did on the side (retries, relists, discovery). A window is a
 * pair of {@link #mark()}s; the log backend writes in blocking mode (1.20's default), so a request has its line by
 * the time its response is back.
 */
final class ApiAudit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path policy;
    private final Path log;

    private ApiAudit(Path policy, Path log) {
        this.policy = policy;
        this.log = log;
    }

    /**
     * A policy that logs the requests of {@code users} (and of the controllers only their Job status writes: the rest
     * would drown them), so that a reader can follow one run by hand: the Job controller's completion, then each of
     * the operator's requests it causes.
     */
    static ApiAudit of(Path dir, List<String> users) {
        try {
            Files.createDirectories(dir);
            Path policy = dir.toAbsolutePath().resolve("audit-policy.yaml");
            Files.writeString(policy, "apiVersion: audit.k8s.io/v1\n"
                    + "kind: Policy\n"
                    + "omitStages: [RequestReceived, ResponseStarted]\n"
                    + "rules:\n"
                    + "- level: Metadata\n"
                    + "  users: [" + String.join(", ", users.stream().map(u -> "\"" + u + "\"").toList()) + "]\n"
                    + "- level: Metadata\n"
                    + "  verbs: [update, patch]\n"
                    + "  resources: [{group: batch, resources: [jobs/status]}]\n"
                    + "- level: None\n");
            Path log = dir.toAbsolutePath().resolve("audit.log");
            // the API server appends: a log of this run only is one a reader can go through by hand
            Files.deleteIfExists(log);
            return new ApiAudit(policy, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kube-apiserver flags that turn this audit on. */
    List<String> apiServerArgs() {
        return List.of("--audit-policy-file=" + policy, "--audit-log-path=" + log, "--audit-log-format=json",
                "--audit-log-maxsize=0");
    }

    /** The end of the last whole line written so far: where a window starts or ends. */
    long mark() {
        if (!Files.exists(log)) {
            return 0;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long end = file.length();
            // back to the last newline: a line being written now belongs to the next window
            for (long at = end - 1; at >= 0; at--) {
                file.seek(at);
                if (file.read() == '\n') {
                    return at + 1;
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests of {@code user} between two marks, by verb and by resource. */
    RequestCount count(String user, long from, long to) {
        Map<String, Long> byVerb = new TreeMap<>();
        Map<String, Long> byResource = new TreeMap<>();
        long total = 0;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            byte[] bytes = new byte[Math.toIntExact(to - from)];
            file.seek(from);
            file.readFully(bytes);
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if (!"ResponseComplete".equals(event.path("stage").asText())
                        || !user.equals(event.path("user").path("username").asText())) {
                    continue;
                }
                total++;
                byVerb.merge(event.path("verb").asText(), 1L, Long::sum);
                JsonNode ref = event.path("objectRef");
                String resource = ref.path("resource").asText("(none)")
                        + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
                byResource.merge(resource, 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RequestCount(total, byVerb, byResource);
    }

    /** Requests of one client in one window. */
    record RequestCount(long total, Map<String, Long> byVerb, Map<String, Long> byResource) {
        long verb(String verb) {
            return byVerb.getOrDefault(verb, 0L);
        }

        long resource(String resource) {
            return byResource.getOrDefault(resource, 0L);
        }
    }
}
