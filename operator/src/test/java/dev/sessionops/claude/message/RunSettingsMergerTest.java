package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.prompt.FrontMatterSettings;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Effort;
import dev.sessionops.claude.api.v1alpha1.PermissionMode;
import dev.sessionops.claude.api.v1alpha1.RunSettings;

class RunSettingsMergerTest {
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static <T extends RunSettings> T filled(T s, String tag, Effort effort, PermissionMode mode, int n) {
        s.setModel(tag + "-model");
        s.setFallbackModel(tag + "-fallback");
        s.setEffort(effort.cliValue());
        s.setSystemPrompt(tag + "-system");
        s.setAppendSystemPrompt(tag + "-append");
        s.setAllowedTools(new ArrayList<>(List.of(tag + "-Read")));
        s.setDisallowedTools(new ArrayList<>(List.of(tag + "-Write")));
        s.setPermissionMode(mode.cliValue());
        s.setMaxTurns(n);
        s.setMaxBudgetUsd(n + 0.5);
        s.setTimeout(n + "m");
        return s;
    }

    private static JsonNode tree(RunSettings s) {
        return JSON.valueToTree(s);
    }

    @Test
    void laterLayerWinsEveryField() {
        ClaudeSessionSpec defaults = filled(new ClaudeSessionSpec(), "op", Effort.LOW, PermissionMode.PLAN, 1);
        ClaudeSessionSpec session = filled(new ClaudeSessionSpec(), "session", Effort.MEDIUM, PermissionMode.AUTO, 2);
        FrontMatterSettings front = filled(new FrontMatterSettings(), "front", Effort.HIGH, PermissionMode.DONT_ASK, 3);
        ClaudeMessageSpec message = filled(new ClaudeMessageSpec(), "msg", Effort.MAX, PermissionMode.ACCEPT_EDITS, 4);

        EffectiveRunSettings merged = RunSettingsMerger.merge(defaults, session, front, message);

        JsonNode expected = tree(filled(new EffectiveRunSettings(), "msg", Effort.MAX, PermissionMode.ACCEPT_EDITS, 4));
        assertEquals(expected, tree(merged));
        // guards against a RunSettings field the merger forgets
        long declared = Arrays.stream(RunSettings.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())).count();
        assertEquals(declared, expected.size());
    }

    @Test
    void eachLayerFillsOnlyWhatItSets() {
        ClaudeSessionSpec defaults = new ClaudeSessionSpec();
        defaults.setModel("sonnet");
        defaults.setTimeout("30m");
        defaults.setMaxTurns(50);
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        session.setModel("opus");
        session.setAllowedTools(List.of("Read", "Edit"));
        session.setPermissionMode("acceptEdits");
        FrontMatterSettings front = new FrontMatterSettings();
        front.setSystemPrompt("from file");
        front.setMaxTurns(5);
        front.setModel("haiku");
        ClaudeMessageSpec message = new ClaudeMessageSpec();
        message.setMaxTurns(7);

        EffectiveRunSettings merged = RunSettingsMerger.merge(defaults, session, front, message);

        assertEquals("haiku", merged.getModel(), "front matter over session");
        assertEquals("30m", merged.getTimeout(), "operator default kept");
        assertEquals(7, merged.getMaxTurns(), "manifest over front matter");
        assertEquals(List.of("Read", "Edit"), merged.getAllowedTools());
        assertEquals("acceptEdits", merged.getPermissionMode());
        assertEquals("from file", merged.getSystemPrompt());
        assertNull(merged.getEffort());
        assertNull(merged.getMaxBudgetUsd());
    }

    @Test
    void listsAreReplacedNotConcatenatedAndEmptyMeansNone() {
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        session.setAllowedTools(List.of("Read", "Edit", "Bash"));
        session.setDisallowedTools(List.of("WebFetch"));
        ClaudeMessageSpec message = new ClaudeMessageSpec();
        message.setAllowedTools(List.of("Read"));
        message.setDisallowedTools(List.of());

        EffectiveRunSettings merged = RunSettingsMerger.merge(null, session, null, message);

        assertEquals(List.of("Read"), merged.getAllowedTools());
        assertEquals(List.of(), merged.getDisallowedTools());
    }

    @Test
    void nullLayersAndNoLayersGiveEmptySettings() {
        assertEquals(JSON.createObjectNode(), tree(RunSettingsMerger.merge(null, null, null, null)));
        assertEquals(JSON.createObjectNode(), tree(RunSettingsMerger.merge(List.of())));
    }

    @Test
    void resultDoesNotShareListsWithInputs() {
        ClaudeSessionSpec session = new ClaudeSessionSpec();
        List<String> tools = new ArrayList<>(List.of("Read"));
        session.setAllowedTools(tools);

        EffectiveRunSettings merged = RunSettingsMerger.merge(null, session, null, null);
        merged.getAllowedTools().add("Write");
        tools.add("Edit");

        assertEquals(List.of("Read", "Write"), merged.getAllowedTools());
        assertEquals(List.of("Read", "Edit"), session.getAllowedTools());
    }
}
