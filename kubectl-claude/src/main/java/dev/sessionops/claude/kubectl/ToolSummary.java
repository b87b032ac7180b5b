package dev.sessionops.claude.kubectl;

import com.fasterxml.jackson.databind.JsonNode;

/** A tool call as one short line, {@code [tool: Write notes.txt]}: what was done, not the whole input. */
final class ToolSummary {
    private static final int MAX = 60;

    private ToolSummary() {
    }

    static String line(String name, JsonNode input) {
        String detail = detail(input);
        return "[tool: " + name + (detail == null || detail.isBlank() ? "" : " " + detail) + "]";
    }

    private static String detail(JsonNode input) {
        if (input == null || !input.isObject()) {
            return null;
        }
        // file tools: the file's name is what tells them apart
        for (String field : new String[] {"file_path", "notebook_path", "path"}) {
            if (input.path(field).isTextual()) {
                String path = input.get(field).asText();
                int slash = path.lastIndexOf('/');
                return slash >= 0 && slash < path.length() - 1 ? path.substring(slash + 1) : path;
            }
        }
        for (String field : new String[] {"command", "pattern", "url", "query", "description", "prompt"}) {
            if (input.path(field).isTextual()) {
                return shorten(input.get(field).asText());
            }
        }
        return null;
    }

    private static String shorten(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX ? oneLine : oneLine.substring(0, MAX - 1) + "…";
    }
}
