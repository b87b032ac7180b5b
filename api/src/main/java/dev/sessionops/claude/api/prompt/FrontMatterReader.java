package dev.sessionops.claude.api.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.sessionops.claude.api.v1alpha1.Durations;
import dev.sessionops.claude.api.v1alpha1.Effort;
import dev.sessionops.claude.api.v1alpha1.PermissionMode;

/** Reads the YAML between the {@code ---} lines, checking every key with the same rules as the CRD schema. */
final class FrontMatterReader {
    static final Set<String> KEYS = Set.of("model", "fallbackModel", "effort", "systemPrompt", "appendSystemPrompt",
            "allowedTools", "disallowedTools", "permissionMode", "maxTurns", "maxBudgetUsd", "timeout", "session",
            "variables");
    /** ChannelCoder keys this operator does not take from a prompt file, with what to do instead. */
    private static final Map<String, String> HINTS = Map.of(
            "input", "ChannelCoder's input schema is not supported; give defaults under \"variables\"",
            "output", "ChannelCoder's output schema is not supported",
            "mcpConfig", "set spec.mcpConfig on the ClaudeSession instead",
            "permissionPromptTool", "not supported by this operator");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final List<String> EFFORTS = Arrays.stream(Effort.values()).map(Effort::cliValue).toList();
    private static final List<String> PERMISSION_MODES =
            Arrays.stream(PermissionMode.values()).map(PermissionMode::cliValue).toList();

    private final FrontMatterSettings settings = new FrontMatterSettings();
    private final Map<String, String> variables = new LinkedHashMap<>();
    private boolean sessionRequired;

    FrontMatterSettings settings() {
        return settings;
    }

    Map<String, String> variables() {
        return variables;
    }

    boolean sessionRequired() {
        return sessionRequired;
    }

    FrontMatterReader read(String yaml) throws PromptException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new PromptException(PromptException.INVALID_FRONT_MATTER,
                    "front matter is not valid YAML: " + e.getOriginalMessage() + location(e), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return this;
        }
        if (!root.isObject()) {
            throw invalid("front matter must be a map of options, got " + describe(root));
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!field.getValue().isNull()) {
                apply(field.getKey(), field.getValue());
            }
        }
        return this;
    }

    private void apply(String key, JsonNode value) throws PromptException {
        switch (key) {
            case "model" -> settings.setModel(string(key, value));
            case "fallbackModel" -> settings.setFallbackModel(string(key, value));
            case "effort" -> settings.setEffort(choice(key, value, EFFORTS));
            case "systemPrompt" -> settings.setSystemPrompt(string(key, value));
            case "appendSystemPrompt" -> settings.setAppendSystemPrompt(string(key, value));
            case "allowedTools" -> settings.setAllowedTools(stringList(key, value));
            case "disallowedTools" -> settings.setDisallowedTools(stringList(key, value));
            case "permissionMode" -> settings.setPermissionMode(choice(key, value, PERMISSION_MODES));
            case "maxTurns" -> settings.setMaxTurns(maxTurns(key, value));
            case "maxBudgetUsd" -> settings.setMaxBudgetUsd(positiveNumber(key, value));
            case "timeout" -> settings.setTimeout(duration(key, value));
            case "session" -> readSession(key, value);
            case "variables" -> readVariables(key, value);
            default -> throw unknownKey(key);
        }
    }

    private void readSession(String key, JsonNode value) throws PromptException {
        if (!value.isObject()) {
            throw wrongType(key, "a map such as {required: true}", value);
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            String nested = key + "." + field.getKey();
            if (!field.getKey().equals("required")) {
                throw new PromptException(PromptException.UNKNOWN_FRONT_MATTER_KEY,
                        "unknown front matter key \"" + nested + "\"; the only session option is \"session.required\"");
            }
            JsonNode required = field.getValue();
            if (!required.isNull()) {
                if (!required.isBoolean()) {
                    throw wrongType(nested, "true or false", required);
                }
                sessionRequired = required.booleanValue();
            }
        }
    }

    private void readVariables(String key, JsonNode value) throws PromptException {
        if (!value.isObject()) {
            throw wrongType(key, "a map of variable names to default values", value);
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode v = field.getValue();
            if (v.isContainerNode()) {
                throw wrongType(key + "." + field.getKey(), "a text, number or boolean default value", v);
            }
            variables.put(field.getKey(), v.isNull() ? "" : v.asText());
        }
    }

    private static String string(String key, JsonNode value) throws PromptException {
        if (!value.isTextual()) {
            throw wrongType(key, "a string", value);
        }
        return value.textValue();
    }

    private static List<String> stringList(String key, JsonNode value) throws PromptException {
        if (!value.isArray()) {
            throw wrongType(key, "a list of strings", value);
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual()) {
                throw wrongType(key + "[" + i + "]", "a string", item);
            }
            items.add(item.textValue());
        }
        return items;
    }

    /** One of the CLI spellings the CRD's pattern accepts. */
    private static String choice(String key, JsonNode value, List<String> allowed) throws PromptException {
        if (!value.isTextual() || !allowed.contains(value.textValue())) {
            throw wrongType(key, "one of " + String.join(", ", allowed), value);
        }
        return value.textValue();
    }

    private static Integer maxTurns(String key, JsonNode value) throws PromptException {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
            throw wrongType(key, "a whole number of at least 1", value);
        }
        return value.intValue();
    }

    private static Double positiveNumber(String key, JsonNode value) throws PromptException {
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || value.doubleValue() <= 0) {
            throw wrongType(key, "a number greater than 0", value);
        }
        return value.doubleValue();
    }

    private static String duration(String key, JsonNode value) throws PromptException {
        String expected = "a duration such as 90s, 30m or 1h30m";
        if (!value.isTextual()) {
            throw wrongType(key, expected, value);
        }
        try {
            Durations.parseSeconds(value.textValue());
        } catch (IllegalArgumentException e) {
            throw wrongType(key, expected, value);
        }
        return value.textValue();
    }

    private static PromptException unknownKey(String key) {
        String hint = HINTS.getOrDefault(key, "known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
        return new PromptException(PromptException.UNKNOWN_FRONT_MATTER_KEY,
                "unknown front matter key \"" + key + "\" (" + hint + ")");
    }

    private static PromptException wrongType(String key, String expected, JsonNode got) {
        return invalid("front matter key \"" + key + "\": expected " + expected + ", got " + describe(got));
    }

    private static PromptException invalid(String message) {
        return new PromptException(PromptException.INVALID_FRONT_MATTER, message);
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "\"" + node.textValue() + "\"";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a map";
        }
        return node.asText();
    }

    private static String location(JsonProcessingException e) {
        // +1: the opening --- line comes before the YAML
        return e.getLocation() == null ? "" : " (front matter line " + (e.getLocation().getLineNr() + 1) + ")";
    }
}
