package dev.sessionops.claude.api.prompt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A prompt file: optional YAML front matter between two {@code ---} lines, then the body.
 *
 * @param body            the prompt text after the front matter, not yet interpolated
 * @param settings        the per-run options the front matter sets (unset ones are null)
 * @param sessionRequired {@code session: {required: true}}: the message must name a session
 * @param variables       default values for {@code {name}} placeholders; the message's variables win
 */
public record PromptFile(String body, FrontMatterSettings settings, boolean sessionRequired,
        Map<String, String> variables) {

    private static final String DELIMITER = "---";

    public PromptFile {
        variables = variables == null ? Map.of() : Map.copyOf(variables);
        settings = settings == null ? new FrontMatterSettings() : settings;
    }

    public static PromptFile parse(String text) throws PromptException {
        String content = withoutBom(text);
        if (!hasFrontMatter(content)) {
            return plain(content);
        }
        int firstEnd = lineEnd(content, 0);
        int lineStart = next(content, firstEnd);
        while (lineStart < content.length()) {
            int end = lineEnd(content, lineStart);
            if (isDelimiter(content, lineStart, end)) {
                FrontMatterReader reader = new FrontMatterReader().read(content.substring(next(content, firstEnd), lineStart));
                return new PromptFile(content.substring(next(content, end)), reader.settings(),
                        reader.sessionRequired(), reader.variables());
            }
            lineStart = next(content, end);
        }
        throw new PromptException(PromptException.INVALID_FRONT_MATTER,
                "the prompt starts a front matter block with \"---\" but has no closing \"---\" line");
    }

    /**
     * Whether {@link #parse} reads front matter from this text: its first line (after a byte order mark) is
     * {@code ---}, trailing blanks allowed. {@code kubectl claude run -f} decides with it where a file goes.
     */
    public static boolean hasFrontMatter(String text) {
        String content = withoutBom(text);
        return isDelimiter(content, 0, lineEnd(content, 0));
    }

    private static String withoutBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** An inline prompt: all body, no front matter is looked for. */
    public static PromptFile plain(String text) {
        return new PromptFile(text, new FrontMatterSettings(), false, Map.of());
    }

    /** Fails a message without {@code sessionRef} when the prompt file asks for a session. */
    public void checkSession(boolean hasSessionRef) throws PromptException {
        if (sessionRequired && !hasSessionRef) {
            throw new PromptException(PromptException.SESSION_REQUIRED,
                    "the prompt file's front matter sets session.required: true, but the message has no spec.sessionRef");
        }
    }

    /** {@link #render(Map, int)} at the operator's default cap. */
    public String render(Map<String, String> messageVariables) throws PromptException {
        return render(messageVariables, PromptTemplate.DEFAULT_MAX_BYTES);
    }

    /**
     * The body with placeholders filled from the front matter's defaults overridden by {@code messageVariables},
     * at most {@code maxBytes} ({@code PromptTooLarge} beyond).
     */
    public String render(Map<String, String> messageVariables, int maxBytes) throws PromptException {
        Map<String, String> merged = new LinkedHashMap<>(variables);
        if (messageVariables != null) {
            merged.putAll(messageVariables);
        }
        return PromptTemplate.render(body, merged, maxBytes);
    }

    /** Index of the line break ending the line that starts at {@code from}, or the text's length. */
    private static int lineEnd(String text, int from) {
        int nl = text.indexOf('\n', from);
        return nl < 0 ? text.length() : nl;
    }

    private static int next(String text, int lineEnd) {
        return Math.min(text.length(), lineEnd + 1);
    }

    private static boolean isDelimiter(String text, int start, int end) {
        return text.substring(start, end).stripTrailing().equals(DELIMITER);
    }
}
