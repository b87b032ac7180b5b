package dev.sessionops.claude.admission;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.http.AccessReviewer;
import dev.sessionops.claude.http.Caller;
import dev.sessionops.claude.message.MessageProblem;
import dev.sessionops.claude.message.RunPlanner;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Decides one AdmissionReview of a ClaudeSession or ClaudeMessage create or update: the requesting user must be
 * allowed to {@code get} every object it references ({@link References}, SubjectAccessReview with the request's
 * userInfo), and what it would run must sit inside the operator's policy, checked by the reconciler's own code
 * ({@link RunPlanner#admissionProblem}), so admission and reconciliation cannot disagree. The reconciler checks the
 * policy again on what it actually runs (defence in depth: objects admitted before the webhook existed, a prompt
 * file's front matter, a policy changed since).
 *
 * <p>Updates that leave the spec as it was (labels, finalizers, the operator's own metadata writes) are admitted
 * without a look: the spec was reviewed when it was written. Anything else of the review (other kinds, deletes)
 * is not this webhook's business and is admitted.
 */
@ApplicationScoped
public class AdmissionReviewer {
    private static final Logger LOG = Logger.getLogger(AdmissionReviewer.class);
    /** A refusal's message stays readable in kubectl's output (and bounded: a spec may name 256 objects). */
    static final int MAX_MESSAGE = 2048;
    /** Referenced objects one review checks (a SubjectAccessReview each, cached briefly); more are refused. */
    static final int MAX_REFERENCES = 64;

    private final AccessReviewer access;
    private final RunPlanner planner;
    private final KubernetesClient client;
    private final ObjectMapper json;
    private final ObjectReader sessions;
    private final ObjectReader messages;

    public AdmissionReviewer(AccessReviewer access, RunPlanner planner, KubernetesClient client, ObjectMapper json) {
        this.access = access;
        this.planner = planner;
        this.client = client;
        this.json = json;
        // unknown fields are the schema's business (the API server pruned or refused them before calling us)
        this.sessions = json.readerFor(ClaudeSession.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.messages = json.readerFor(ClaudeMessage.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The AdmissionReview to answer with; a malformed review is an {@link IllegalArgumentException}. */
    public ObjectNode review(JsonNode review) {
        JsonNode request = review.path("request");
        String uid = request.path("uid").asText("");
        if (uid.isEmpty() || !"admission.k8s.io/v1".equals(review.path("apiVersion").asText())) {
            throw new IllegalArgumentException("not an admission.k8s.io/v1 AdmissionReview with a request uid");
        }
        List<String> problems;
        try {
            problems = problems(request);
        } catch (IllegalArgumentException | java.io.IOException e) {
            problems = List.of("the object could not be read: " + e.getMessage());
        }
        ObjectNode answer = json.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response").put("uid", uid).put("allowed", problems.isEmpty());
        if (!problems.isEmpty()) {
            String message = String.join("; ", problems);
            if (message.length() > MAX_MESSAGE) {
                message = message.substring(0, MAX_MESSAGE) + " …";
            }
            response.putObject("status").put("code", 403).put("reason", "Forbidden").put("message", message);
        }
        return answer;
    }

    private List<String> problems(JsonNode request) throws java.io.IOException {
        String operation = request.path("operation").asText();
        if (!request.path("subResource").asText("").isEmpty()
                || !("CREATE".equals(operation) || "UPDATE".equals(operation))
                || !ClaudeSession.GROUP.equals(request.path("kind").path("group").asText())) {
            return List.of();
        }
        JsonNode object = request.path("object");
        if ("UPDATE".equals(operation) && object.path("spec").equals(request.path("oldObject").path("spec"))) {
            return List.of();
        }
        String namespace = request.path("namespace").asText();
        Caller caller = caller(request.path("userInfo"));
        String kind = request.path("kind").path("kind").asText();
        List<String> problems = new ArrayList<>();
        List<References.Reference> references;
        java.util.function.Supplier<Optional<MessageProblem>> policy;
        if ("ClaudeSession".equals(kind)) {
            ClaudeSession session = sessions.readValue(object);
            ClaudeSessionSpec spec = session.getSpec() == null ? new ClaudeSessionSpec() : session.getSpec();
            references = References.of(spec);
            policy = () -> planner.admissionProblem(namespace, spec, null);
        } else if ("ClaudeMessage".equals(kind)) {
            ClaudeMessage message = messages.readValue(object);
            if (message.getSpec() == null) {
                return List.of(); // the schema requires one; nothing to check
            }
            references = References.of(message.getSpec());
            policy = () -> planner.admissionProblem(namespace, sessionSpec(namespace, message), message.getSpec());
        } else {
            return List.of();
        }
        if (references.size() > MAX_REFERENCES) {
            // each is a SubjectAccessReview: a spec naming hundreds would make every create attempt a burst of them;
            // refused before any is asked (or the session read)
            return List.of("the object names " + references.size() + " Secrets, ConfigMaps and other objects; at most "
                    + MAX_REFERENCES + " are reviewed");
        }
        for (References.Reference ref : references) {
            if (!access.allowed(caller, new AccessReviewer.Access(AccessReviewer.VERB, ref.group(), ref.resource(),
                    namespace, ref.name()))) {
                problems.add("user \"" + caller.username() + "\" cannot get " + ref.describe() + " in namespace \""
                        + namespace + "\": the operator reads it on the author's behalf");
            }
        }
        policy.get().ifPresent(p -> problems.add(p.reason() + ": " + p.getMessage()));
        if (!problems.isEmpty()) {
            LOG.infof("admission: refused %s %s/%s of %s: %s", kind, namespace, object.path("metadata").path("name").asText(),
                    caller.username(), String.join("; ", problems));
        }
        return problems;
    }

    /** The message's session as it is now; null for a one-shot message or a session not (yet) there. */
    private ClaudeSessionSpec sessionSpec(String namespace, ClaudeMessage message) {
        if (message.getSpec().getSessionRef() == null || message.getSpec().getSessionRef().getName() == null) {
            return null;
        }
        ClaudeSession session = client.resources(ClaudeSession.class).inNamespace(namespace)
                .withName(message.getSpec().getSessionRef().getName()).get();
        return session == null || session.getSpec() == null ? null : session.getSpec();
    }

    static Caller caller(JsonNode userInfo) {
        List<String> groups = new ArrayList<>();
        userInfo.path("groups").forEach(g -> groups.add(g.asText()));
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = userInfo.path("extra").fields(); it.hasNext();) {
            var e = it.next();
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            extra.put(e.getKey(), values);
        }
        String uid = userInfo.path("uid").asText(null);
        return new Caller(userInfo.path("username").asText(""), uid, List.copyOf(groups), Map.copyOf(extra));
    }
}
