package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.sessionops.claude.api.prompt.PromptFile;

/**
 * The prompt of {@code run}: the argument, or a file ({@code -f}). The operator reads YAML front matter only from a
 * prompt file in a ConfigMap ({@code spec.promptFrom}); an inline {@code spec.prompt} is taken literally. So a file
 * with front matter goes into a ConfigMap of its own, exactly what a cluster user would apply, and every front
 * matter rule (options, {@code session.required}, variable defaults, the manifest winning) holds unchanged; a file
 * without goes inline, where it means the same and costs no extra object.
 *
 * @param text           the prompt or the whole file
 * @param hasFrontMatter the text starts with a {@code ---} line ({@link PromptFile#hasFrontMatter})
 */
record PromptInput(String text, boolean hasFrontMatter) {
    /** The ConfigMap key the prompt file is stored under. */
    static final String KEY = "prompt.md";

    static PromptInput of(String argument, Path file) {
        if ((argument == null) == (file == null)) {
            throw CliException.usage("give the prompt either as an argument or with -f FILE");
        }
        if (argument != null) {
            return new PromptInput(argument, false);
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return new PromptInput(text, PromptFile.hasFrontMatter(text));
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read prompt file " + file + ": " + e.getMessage(), e);
        }
    }
}
