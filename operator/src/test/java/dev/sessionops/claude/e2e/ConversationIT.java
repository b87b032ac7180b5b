package dev.sessionops.claude.e2e;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** A session of three messages, run through the real CLI, one after another, each resuming the last (mock tier). */
@QuarkusTest
class ConversationIT extends EndToEndTest {

    @Test
    void threeMessagesRunInOrderEachResumingTheConversation() {
        Scenarios.threeMessageConversation(tier());
    }

    @Test
    void aLostStateVolumeFailsTheNextMessageUntilANewConversationIsAskedFor() {
        Scenarios.lostStateVolumeThenReset(tier());
    }
}
