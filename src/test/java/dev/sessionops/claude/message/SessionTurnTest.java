package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.Labels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

class SessionTurnTest {

    private static Job job(String message, String condition) {
        JobBuilder b = new JobBuilder().withNewMetadata().withName(message + "-job").addToLabels(Labels.MESSAGE, message)
                .endMetadata();
        if (condition != null) {
            b.withNewStatus().addNewCondition().withType(condition).withStatus("True").endCondition().endStatus();
        }
        return b.build();
    }

    @Test
    void anotherMessagesUnfinishedJobBlocksTheTurn() {
        assertFalse(SessionTurn.noOtherRunning(List.of(job("chat-01", null)), "chat-02"));
    }

    @Test
    void finishedJobsOfOthersAndOwnJobDoNot() {
        assertTrue(SessionTurn.noOtherRunning(List.of(job("chat-01", "Complete"), job("chat-02", "Failed"), job("chat-03", null)),
                "chat-03"));
        assertTrue(SessionTurn.noOtherRunning(List.of(), "chat-01"));
    }
}
