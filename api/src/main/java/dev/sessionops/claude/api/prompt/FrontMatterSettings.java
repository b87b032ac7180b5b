package dev.sessionops.claude.api.prompt;

import dev.sessionops.claude.api.v1alpha1.RunSettings;

/** The per-run options a prompt file's front matter sets; merged between the session's and the message's. */
public class FrontMatterSettings extends RunSettings {
}
