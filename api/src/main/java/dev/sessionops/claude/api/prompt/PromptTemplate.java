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
     * The operator's default cap on a rendered prompt, in UTF-8 bytes ({@code cso.limits.max-prompt-bytes}): the
     * prompt reaches the CLI in a ConfigMap, whose data may be 1 MiB.
     */
    public static final int DEFAULT_MAX_BYTES = 512 * 1024;
    /** The most any cap may be: the prompt and its key stay well inside a ConfigMap's 1 MiB (1048576 bytes). */
    public static final int CEILING_BYTES = 1_000_000;

    /** {@link #render(String, Map, int)} with {@link #DEFAULT_MAX_BYTES}. */
    public static String render(String template, Map<String, ?> variables) throws PromptException {
        return render(template, variables, DEFAULT_MAX_BYTES);
    }

    /**
     * Renders in time linear in the template and memory bounded by {@code maxBytes}: a template that would grow past
     * it (many placeholders of a large value) stops as soon as it does, {@code PromptTooLarge}.
     */
    public static String render(String template, Map<String, ?> variables, int maxBytes) throws PromptException {
        checkCap(maxBytes);
        Map<String, ?> vars = variables == null ? Map.of() : variables;
        Braces braces = new Braces(template);
        StringBuilder out = new StringBuilder(Math.min(template.length(), maxBytes));
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
                i = replacePlaceholder(template, i, braces, vars, out, maxBytes);
            } else {
                out.append(c);
                i++;
            }
            if (out.length() > maxBytes) { // a char is at least one byte
                throw PromptException.tooLarge(maxBytes);
            }
        }
        String rendered = out.toString();
        if (rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxBytes) {
            throw PromptException.tooLarge(maxBytes);
        }
        return rendered;
    }

    /** A cap outside 1 to {@link #CEILING_BYTES} is a configuration error. */
    public static int checkCap(int maxBytes) {
        if (maxBytes < 1 || maxBytes > CEILING_BYTES) {
            throw new IllegalArgumentException("the prompt cap must be 1 to " + CEILING_BYTES + " bytes (a ConfigMap holds"
                    + " 1 MiB), got " + maxBytes);
        }
        return maxBytes;
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
            StringBuilder out, int maxBytes) throws PromptException {
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
        if (out.length() + value.length() > maxBytes) {
            throw PromptException.tooLarge(maxBytes);
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
