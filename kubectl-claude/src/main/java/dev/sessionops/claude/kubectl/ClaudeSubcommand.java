package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand needs: the global options of the root command and the output writers. */
abstract class ClaudeSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    KubectlClaude root() {
        return (KubectlClaude) spec.root().userObject();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Kube connect() {
        return root().connect();
    }
}
