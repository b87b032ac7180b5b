package dev.sessionops.claude.message;

import dev.sessionops.claude.api.v1alpha1.RunSettings;

/** The per-run options one message actually runs with, after merging every layer. */
public class EffectiveRunSettings extends RunSettings {
}
