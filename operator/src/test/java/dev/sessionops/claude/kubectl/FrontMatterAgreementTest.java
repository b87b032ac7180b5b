package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.message.PromptException;
import dev.sessionops.claude.message.PromptFile;

/** The plugin (kubectl-claude module) decides "this prompt has front matter" exactly as the operator parses it. */
class FrontMatterAgreementTest {

    @Test
    void frontMatterIsDetectedExactlyAsTheOperatorDoes() throws PromptException {
        for (String text : new String[] {"---\nmodel: opus\n---\nBody", "\uFEFF---  \nmodel: opus\n---\nBody"}) {
            assertTrue(PromptInput.startsWithFrontMatter(text), text);
            assertEquals("opus", PromptFile.parse(text).settings().getModel());
        }
        for (String text : new String[] {"Body\n---\n", " ---\nx", "----\nx", ""}) {
            assertFalse(PromptInput.startsWithFrontMatter(text), text);
            assertEquals(text.startsWith("\uFEFF") ? text.substring(1) : text, PromptFile.parse(text).body());
        }
    }
}
