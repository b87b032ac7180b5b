package dev.sessionops.claude.kubectl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** {@code run}: one prompt as a ClaudeMessage, in an existing session, a new one, or on its own. */
@Command(name = "run", description = {"Send a prompt: create a ClaudeMessage (and its ClaudeSession with --new-session).",
        "Prints the message's name; with --follow prints the reply as it arrives and exits 0 when it succeeded."})
final class RunCommand extends ClaudeSubcommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The prompt (or use -f FILE).")
    String prompt;

    @ArgGroup(exclusive = true)
    SessionChoice session;

    static final class SessionChoice {
        @Option(names = "--session", paramLabel = "NAME", required = true,
                description = "Add the message to this existing ClaudeSession.")
        String existing;
        @Option(names = "--new-session", paramLabel = "NAME", required = true,
                description = "Create this ClaudeSession first (fails if it exists).")
        String created;
    }

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "Read the prompt from a file; YAML front matter in it works as in a promptFrom ConfigMap.")
    Path file;
    @Option(names = "--data", paramLabel = "KEY=VALUE", description = "A value for a {KEY} placeholder (repeatable).")
    Map<String, String> data = new LinkedHashMap<>();
    @Option(names = "--follow", description = {"Print the reply as it arrives (stdout) and the message's progress:"
            + " queued, waiting, pod starting, running, retrying the model API (stderr); exit 1 if the message fails."})
    boolean follow;
    @Option(names = {"-q", "--quiet"}, description = "With --follow: no progress lines on stderr.")
    boolean quiet;
    @Option(names = "--name", paramLabel = "MSG", description = "The message's name (default: <session>-<time>-<random>).")
    String name;
    @Option(names = "--secret", paramLabel = "NAME",
            description = "With --new-session: the Secret with ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN "
                    + "(default: the operator's).")
    String secret;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml: print the created message.")
    OutputFormat output;
    @Mixin
    RunFlags runFlags = new RunFlags();

    @Override
    public Integer call() {
        PromptInput input = PromptInput.of(prompt, file);
        boolean newSession = session != null && session.created != null;
        if (secret != null && !newSession) {
            throw CliException.usage("--secret applies only with --new-session");
        }
        if (follow && output != null) {
            throw CliException.usage("-o prints the created message; with --follow the reply is printed instead");
        }
        String sessionName = session == null ? null : newSession ? session.created : session.existing;
        // everything checked before the first request: a bad flag leaves nothing behind
        ClaudeMessageSpec spec = messageSpec(sessionName);
        PromptCheck.require(input, data, sessionName != null);
        try (Kube kube = connect()) {
            if (newSession) {
                createSession(kube, sessionName);
            } else if (sessionName != null) {
                kube.requireSession(sessionName);
            }
            Environment env = root().env();
            String messageName = name != null ? name
                    : MessageNames.generate(sessionName, env.clock().instant(), env.random().apply(4));
            ClaudeMessage created = createMessage(kube, messageName, spec, input);
            if (!follow) {
                if (output != null) {
                    output.print(out(), Views.message(created));
                } else {
                    out().println(messageName);
                    out().flush();
                }
                return ExitCodes.OK;
            }
            Progress progress = quiet ? Progress.SILENT : new Progress(err());
            progress.note("claudemessage " + messageName + " created");
            return Follow.untilDone(kube, messageName, out(), err(), false, progress);
        }
    }

    private void createSession(Kube kube, String sessionName) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName(sessionName).withNamespace(kube.namespace()).build());
        s.setSpec(new ClaudeSessionSpec());
        if (secret != null) {
            s.getSpec().setCredentials(new Credentials(new NameRef(secret)));
        }
        try {
            kube.sessions().resource(s).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw CliException.usage("claudesession \"" + sessionName + "\" already exists in namespace "
                        + kube.namespace() + " (use --session " + sessionName + " to add a message to it)");
            }
            throw e;
        }
    }

    /** The message's spec without its prompt: the session, the variables and the per-run flags, checked. */
    private ClaudeMessageSpec messageSpec(String sessionName) {
        ClaudeMessageSpec spec = new ClaudeMessageSpec();
        if (sessionName != null) {
            spec.setSessionRef(new NameRef(sessionName));
        }
        if (!data.isEmpty()) {
            spec.setVariables(data);
        }
        runFlags.applyTo(spec);
        return spec;
    }

    private ClaudeMessage createMessage(Kube kube, String messageName, ClaudeMessageSpec spec, PromptInput input) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(messageName).withNamespace(kube.namespace()).build());
        m.setSpec(spec);
        ConfigMap promptFile = null;
        if (input.hasFrontMatter()) {
            // created first, so the operator never sees the message without its prompt (it would wait, not fail)
            promptFile = kube.client().configMaps().inNamespace(kube.namespace()).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(configMapName(messageName)).endMetadata()
                    .addToData(PromptInput.KEY, input.text()).build()).create();
            spec.setPromptFrom(new PromptSource(new KeyRef(promptFile.getMetadata().getName(), PromptInput.KEY)));
        } else {
            spec.setPrompt(input.text());
        }
        ClaudeMessage created;
        try {
            created = kube.messages().resource(m).create();
        } catch (KubernetesClientException e) {
            if (promptFile != null) {
                kube.client().configMaps().inNamespace(kube.namespace()).withName(promptFile.getMetadata().getName())
                        .delete();
            }
            if (e.getCode() == 409) {
                throw CliException.usage("claudemessage \"" + messageName + "\" already exists in namespace "
                        + kube.namespace());
            }
            throw e;
        }
        if (promptFile != null) {
            ownPromptFile(kube, promptFile.getMetadata().getName(), created);
        }
        return created;
    }

    /** The prompt ConfigMap goes when its message goes (garbage collection through the owner reference). */
    private static void ownPromptFile(Kube kube, String configMap, ClaudeMessage owner) {
        kube.client().configMaps().inNamespace(kube.namespace()).withName(configMap).edit(cm -> {
            cm.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
                    .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build()));
            return cm;
        });
    }

    static String configMapName(String messageName) {
        String suffix = "-prompt";
        return (messageName.length() + suffix.length() > 253 ? messageName.substring(0, 253 - suffix.length())
                : messageName) + suffix;
    }
}
