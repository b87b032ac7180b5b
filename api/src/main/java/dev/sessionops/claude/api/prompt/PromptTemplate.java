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

    /**
     * The most a rendered prompt may be, in UTF-8 bytes: it reaches the CLI as one argument, which Linux caps at
     * 128 KiB including its terminating NUL (MAX_ARG_STRLEN).
     */
    public static final int MAX_RENDERED_BYTES = 131_071;

    /**
     * Renders in time linear in the template and memory bounded by {@link #MAX_RENDERED_BYTES}: a template that
     * would grow past it (many placeholders of a large value) stops as soon as it does, {@code PromptTooLarge}.
     */
    public static String render(String template, Map<String, ?> variables) throws PromptException {
        Map<String, ?> vars = variables == null ? Map.of() : variables;
        Braces braces = new Braces(template);
        StringBuilder out = new StringBuilder(Math.min(template.length(), MAX_RENDERED_BYTES));
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length() && isBrace(template.charAt(i + 1))) {
                out.append(template.charAt(i + 1));
                i += 2;
            } else if (c == '$' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                int close = braces.closeAfter(i + 2);
                int end = close < 0 ? i + 2 : close + 1;
                out.append(template, i, end); // ${...} verbatim
                i = end;
            } else if (c == '{') {
                i = replacePlaceholder(template, i, braces, vars, out);
            } else {
                out.append(c);
                i++;
            }
            if (out.length() > MAX_RENDERED_BYTES) { // a char is at least one byte
                throw PromptException.tooLarge(MAX_RENDERED_BYTES);
            }
        }
        String rendered = out.toString();
        if (rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_RENDERED_BYTES) {
            throw PromptException.tooLarge(MAX_RENDERED_BYTES);
        }
        return rendered;
    }

    private static boolean isBrace(char c) {
        return c == '{' || c == '}';
    }

    /**
     * The next {@code {} and {@code }} at or after a position, each found by one forward scan that never goes back:
     * the render only moves forward, so finding every brace costs O(n) in all (a prompt of a million {@code {} is
     * not a million scans to its end).
     */
    private static final class Braces {
        private final String text;
        private int open = -2; // -2: not searched yet; -1: there is none further on
        private int close = -2;

        Braces(String text) {
            this.text = text;
        }

        /** The first {@code }} at or after {@code from} (asked with non-decreasing {@code from}); -1 if none. */
        int closeAfter(int from) {
            if (close == -2 || close != -1 && close < from) {
                close = text.indexOf('}', from);
            }
            return close;
        }

        /** The first {@code {} at or after {@code from} (asked with non-decreasing {@code from}); -1 if none. */
        int openAfter(int from) {
            if (open == -2 || open != -1 && open < from) {
                open = text.indexOf('{', from);
            }
            return open;
        }
    }

    /** Handles the {@code {} at {@code open}; returns the index after what it consumed. */
    private static int replacePlaceholder(String template, int open, Braces braces, Map<String, ?> vars,
            StringBuilder out) throws PromptException {
        int close = braces.closeAfter(open + 1);
        if (close < 0) {
            out.append('{');
            return open + 1;
        }
        int nested = braces.openAfter(open + 1);
        if (nested >= 0 && nested < close) {
            // "{a{b}": only the innermost pair can be a placeholder, like ChannelCoder's [^}]+ match
            out.append('{');
            return open + 1;
        }
        String path = template.substring(open + 1, close).strip();
        if (!VARIABLE_PATH.matcher(path).matches()) {
            out.append(template, open, close + 1);
            return close + 1;
        }
        String value = format(lookup(path, vars));
        if (out.length() + value.length() > MAX_RENDERED_BYTES) {
            throw PromptException.tooLarge(MAX_RENDERED_BYTES);
        }
        out.append(value);
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
