package dev.sessionops.claude.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the webhook answers without asking anyone: hostile or foreign reviews. The reviewer is built without an
 * access reviewer, planner or client, so any review that reached them would fail the test with an exception.
 */
class AdmissionReviewerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AdmissionReviewer reviewer = new AdmissionReviewer(null, null, null, JSON);

    private static ObjectNode review(String operation, String group, String kind) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "u-1").put("operation", operation).put("namespace", "team-a");
        request.putObject("kind").put("group", group).put("version", "v1alpha1").put("kind", kind);
        request.putObject("userInfo").put("username", "mallory");
        request.putObject("object").putObject("spec");
        return review;
    }

    private static JsonNode response(JsonNode answer) {
        assertEquals("admission.k8s.io/v1", answer.path("apiVersion").asText());
        assertEquals("u-1", answer.path("response").path("uid").asText(), "the request's uid echoed");
        return answer.path("response");
    }

    @Test
    void aReviewWithoutItsUidOrOfAnotherVersionIsNotAnswered() {
        ObjectNode noUid = review("CREATE", "claude.sessionops.dev", "ClaudeSession");
        ((ObjectNode) noUid.path("request")).remove("uid");
        assertThrows(IllegalArgumentException.class, () -> reviewer.review(noUid));
        ObjectNode v1beta1 = review("CREATE", "claude.sessionops.dev", "ClaudeSession").put("apiVersion", "admission.k8s.io/v1beta1");
        assertThrows(IllegalArgumentException.class, () -> reviewer.review(v1beta1));
    }

    @Test
    void deletesOtherKindsAndSubresourcesAreNotThisWebhooksBusiness() {
        assertTrue(response(reviewer.review(review("DELETE", "claude.sessionops.dev", "ClaudeSession"))).path("allowed").asBoolean());
        assertTrue(response(reviewer.review(review("CREATE", "", "Secret"))).path("allowed").asBoolean());
        ObjectNode status = review("UPDATE", "claude.sessionops.dev", "ClaudeMessage");
        ((ObjectNode) status.path("request")).put("subResource", "status");
        assertTrue(response(reviewer.review(status)).path("allowed").asBoolean());
    }

    @Test
    void anUpdateThatLeavesTheSpecAsItWasIsAdmittedWithoutAReview() {
        ObjectNode labelled = review("UPDATE", "claude.sessionops.dev", "ClaudeSession");
        ObjectNode request = (ObjectNode) labelled.path("request");
        ((ObjectNode) request.path("object").path("spec")).putArray("env").addObject().put("name", "A").putObject("valueFrom")
                .putObject("secretKeyRef").put("name", "someone-elses").put("key", "k");
        request.set("oldObject", request.path("object").deepCopy());
        assertTrue(response(reviewer.review(labelled)).path("allowed").asBoolean());
    }

    @Test
    void anObjectThatCannotBeReadIsRefusedNotAdmitted() {
        ObjectNode garbled = review("CREATE", "claude.sessionops.dev", "ClaudeSession");
        ((ObjectNode) garbled.path("request").path("object").path("spec")).put("env", "not a list");
        JsonNode response = response(reviewer.review(garbled));
        assertEquals(false, response.path("allowed").asBoolean());
        assertEquals(403, response.path("status").path("code").asInt());
        assertTrue(response.path("status").path("message").asText().startsWith("the object could not be read"),
                response.toString());
        assertTrue(response.path("status").path("message").asText().length() <= AdmissionReviewer.MAX_MESSAGE + 2);
    }

    @Test
    void aSpecNamingMoreObjectsThanAReviewChecksIsRefusedBeforeAnyIsAsked() {
        ObjectNode many = review("CREATE", "claude.sessionops.dev", "ClaudeSession");
        var env = ((ObjectNode) many.path("request").path("object").path("spec")).putArray("env");
        for (int i = 0; i <= AdmissionReviewer.MAX_REFERENCES; i++) {
            env.addObject().put("name", "V" + i).putObject("valueFrom").putObject("secretKeyRef").put("name", "s" + i).put("key", "k");
        }
        JsonNode response = response(reviewer.review(many));
        assertEquals(false, response.path("allowed").asBoolean());
        assertTrue(response.path("status").path("message").asText().contains("at most " + AdmissionReviewer.MAX_REFERENCES),
                response.toString());
    }
}
