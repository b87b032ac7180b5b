package dev.sessionops.claude.kubectl;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sessionops.claude.api.prompt.PromptException;
import dev.sessionops.claude.api.prompt.PromptFile;
import dev.sessionops.claude.api.prompt.PromptTemplate;

/**
 * {@code run}'s prompt checked before anything is created, with the operator's own code ({@link PromptFile}, its
 * front matter reader and {@code PromptTemplate}): what the operator would fail the message for fails the command
 * instead, so {@code --new-session} leaves no session behind for a typo.
 */
final class PromptCheck {
    /**
     * A {@code {name} with no closing brace anywhere after it. The operator keeps it as written (ChannelCoder does),
     * but typed on a command line it is almost always a placeholder missing its brace; {@code \{} keeps it literally.
     */
    private static final Pattern UNCLOSED = Pattern.compile("(?<![\\\\$])\\{\\s*([A-Za-z_][A-Za-z0-9_.]*)[^}]*$", Pattern.DOTALL);

    private PromptCheck() {
    }

    /**
     * @param variables  {@code --data}
     * @param hasSession the message names a session
     * @return why the operator would refuse the prompt, in the CLI's words; empty when it is fine
     */
    static Optional<String> problem(PromptInput input, Map<String, String> variables, boolean hasSession) {
        PromptFile file;
        try {
            file = input.hasFrontMatter() ? PromptFile.parse(input.text()) : PromptFile.plain(input.text());
            file.checkSession(hasSession);
            // the size is the operator's to judge (its cso.limits.max-prompt-bytes may be any cap up to the ceiling);
            // the ceiling only bounds what rendering here may cost
            String rendered = file.render(variables, PromptTemplate.CEILING_BYTES);
            if (rendered.isBlank()) {
                return Optional.of("the prompt is empty");
            }
        } catch (PromptException e) {
            if (PromptException.UNKNOWN_VARIABLE.equals(e.reason())) {
                return Optional.of("the prompt uses {" + e.variable() + "} but no value was given for it (give one with"
                        + " --data " + e.variable() + "=VALUE" + (input.hasFrontMatter() ? " or under variables: in the"
                        + " front matter" : "") + ", or write \\{ for a literal brace)");
            }
            if (PromptException.SESSION_REQUIRED.equals(e.reason())) {
                return Optional.of("the prompt file's front matter sets session.required: true: give --session or"
                        + " --new-session");
            }
            return Optional.of("prompt file: " + e.getMessage());
        }
        Matcher unclosed = UNCLOSED.matcher(file.body());
        if (unclosed.find()) {
            String name = unclosed.group(1);
            return Optional.of("the prompt has \"{" + name + "\" without a closing brace (write {" + name
                    + "} for the variable, or \\{ for a literal brace)");
        }
        return Optional.empty();
    }

    /** @throws CliException (usage) when the prompt has a {@link #problem} */
    static void require(PromptInput input, Map<String, String> variables, boolean hasSession) {
        problem(input, variables, hasSession).ifPresent(p -> {
            throw CliException.usage(p);
        });
    }
}
