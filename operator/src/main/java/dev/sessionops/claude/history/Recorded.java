package dev.sessionops.claude.history;

/**
 * Whether a message's run is in the history, and how it ended.
 *
 * @param outcome null when not recorded, or recorded by a version that did not keep outcomes
 */
public record Recorded(boolean recorded, Outcome outcome) {
    public static final Recorded NO = new Recorded(false, null);
}
