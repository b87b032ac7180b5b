package dev.sessionops.claude.kubectl;

import picocli.CommandLine.IVersionProvider;

/** The version of the jar the CLI runs from (its manifest), {@code dev} when run from classes. */
public final class Version implements IVersionProvider {
    public static String current() {
        String v = KubectlClaude.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"kubectl-claude " + current() + " (Java " + Runtime.version() + ")"};
    }
}
