package dev.sessionops.claude.api.prompt;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * ChannelCoder-style {@code {name}} interpolation.
 * <ul>
 * <li>{@code {name}} and {@code {a.b}} (surrounding blanks allowed) are replaced; {@code a.b} is first looked up as
 * a flat key, then as key {@code b} of the map value {@code a}.</li>
 * <li>{@code \{} and {@code \}} stand for literal braces.</li>
 * <li>Braces around anything that is not a variable path (JSON, code, {@code {}}) are kept as written, as in
 * ChannelCoder; so is {@code ${...}}, which shell snippets use (ChannelCoder interpolates it too).</li>
 * <li>An unknown variable is an error, not an empty string as in ChannelCoder: a typo should not silently
 * change the prompt.</li>
 * </ul>
 * Values are inserted once and never interpolated again.
 */
public final class PromptTemplate {
    private static final Pattern VARIABLE_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptTemplate() {
    }

    public static String render(String template, Map<String, ?> variables) throws PromptException {
        Map<String, ?> vars = variables == null ? Map.of() : variables;
        StringBuilder out = new StringBuilder(template.length());
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length() && isBrace(template.charAt(i + 1))) {
                out.append(template.charAt(i + 1));
                i += 2;
            } else if (c == '$' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                i = copyShellExpansion(template, i, out);
            } else if (c == '{') {
                i = replacePlaceholder(template, i, vars, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isBrace(char c) {
        return c == '{' || c == '}';
    }

    /** Copies {@code ${...}} verbatim; returns the index after it. */
    private static int copyShellExpansion(String template, int dollar, StringBuilder out) {
        int close = template.indexOf('}', dollar + 2);
        int end = close < 0 ? dollar + 2 : close + 1;
        out.append(template, dollar, end);
        return end;
    }

    /** Handles the {@code {} at {@code open}; returns the index after what it consumed. */
    private static int replacePlaceholder(String template, int open, Map<String, ?> vars, StringBuilder out)
            throws PromptException {
        int close = template.indexOf('}', open + 1);
        if (close < 0) {
            out.append('{');
            return open + 1;
        }
        String inner = template.substring(open + 1, close);
        if (inner.indexOf('{') >= 0) {
            // "{a{b}": only the innermost pair can be a placeholder, like ChannelCoder's [^}]+ match
            out.append('{');
            return open + 1;
        }
        String path = inner.strip();
        if (!VARIABLE_PATH.matcher(path).matches()) {
            out.append(template, open, close + 1);
            return close + 1;
        }
        out.append(format(lookup(path, vars)));
        return close + 1;
    }

    private static Object lookup(String path, Map<String, ?> vars) throws PromptException {
        if (vars.containsKey(path)) {
            return vars.get(path);
        }
        Object current = vars;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
                throw PromptException.unknownVariable(path);
            }
            current = map.get(part);
        }
        return current;
    }

    private static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
            try {
                return JSON.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                return String.valueOf(value);
            }
        }
        return String.valueOf(value);
    }
}
