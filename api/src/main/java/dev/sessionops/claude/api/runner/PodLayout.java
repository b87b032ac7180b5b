package dev.sessionops.claude.api.runner;

/** Where things live inside a message's pod; the CLI files transcripts per cwd, so these paths never change. */
public final class PodLayout {
    public static final String CONTAINER = "claude";
    public static final String GIT_INIT_CONTAINER = "git-init";

    /** The CLI's working directory: the session's worktree. */
    public static final String WORKSPACE = "/workspace";
    /** Mount point of the session's state volume. */
    public static final String STATE_MOUNT = "/var/lib/claude-session";
    /** {@code CLAUDE_CONFIG_DIR}: transcripts live here, so {@code --resume} works in a fresh pod. */
    public static final String CONFIG_DIR = STATE_MOUNT + "/config";
    /** {@code HOME}, writable and kept across messages. */
    public static final String HOME = STATE_MOUNT + "/home";
    /** Sub-path of the state volume holding the worktree when the session has no volumeClaim workspace. */
    public static final String WORKSPACE_SUBPATH = "workspace";
    /** Where an mcpConfig ConfigMap key is mounted; passed to {@code --mcp-config}. */
    public static final String MCP_CONFIG_DIR = "/etc/claude-session/mcp";
    public static final String MCP_CONFIG = MCP_CONFIG_DIR + "/mcp.json";
    /** Where the run's prompt (the operator's ConfigMap) is mounted; the CLI reads it as its standard input. */
    public static final String PROMPT_DIR = "/etc/claude-session/prompt";
    public static final String PROMPT_FILE = PROMPT_DIR + "/prompt";

    /** The restricted pod's user (the runner image's non-root user; the CLI refuses bypassPermissions as root). */
    public static final long RUN_AS_USER = 1000;

    private PodLayout() {
    }
}
