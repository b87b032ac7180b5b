package dev.sessionops.claude.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.testing.Project;
import io.smallrye.config.WithDefault;

/**
 * No image can be built here, so the runner Dockerfile is checked as text: it pins the CLI version the tests ran
 * (.claude-code-version), runs as the uid the Jobs use, and is what the operator and the chart name by default.
 */
class RunnerImageTest {
    static final Path DOCKERFILE = Project.path("deploy", "runner", "Dockerfile");

    @Test
    void dockerfilePinsTheTestedCliVersion() throws Exception {
        String pinned = Files.readString(Project.path(".claude-code-version")).strip();
        String dockerfile = Files.readString(DOCKERFILE);
        assertEquals(pinned, argDefault(dockerfile, "CLAUDE_CODE_VERSION"),
                "ARG CLAUDE_CODE_VERSION in " + DOCKERFILE + " must be .claude-code-version");
        assertTrue(dockerfile.contains("\"@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}\""), "installs that version");
        assertTrue(dockerfile.contains("--build-arg CLAUDE_CODE_VERSION=$(cat .claude-code-version)"),
                "the documented build command passes the pinned version");
    }

    @Test
    void runnerImageIsTheDefaultEverywhere() throws Exception {
        String pinned = Files.readString(Project.path(".claude-code-version")).strip();
        String image = "ghcr.io/sessionops/claude-runner:" + pinned;
        Object operatorDefault = OperatorConfig.Defaults.class.getMethod("image").getAnnotation(WithDefault.class).value();
        assertEquals(image, operatorDefault, "OperatorConfig's default runner image");
        assertTrue(Files.readAllLines(HelmChart.DIR.resolve("values.yaml")).contains("  image: " + image),
                "the chart's defaults.image");
    }

    @Test
    void runsAsTheJobsNonRootUserInTheWorkspace() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        assertEquals("USER " + PodLayout.RUN_AS_USER + ":" + PodLayout.RUN_AS_USER, last(lines, "USER "),
                "numeric, so the kubelet can check runAsNonRoot; the uid the Jobs run as");
        assertEquals("WORKDIR " + PodLayout.WORKSPACE, last(lines, "WORKDIR "));
        String dockerfile = String.join("\n", lines);
        assertTrue(dockerfile.contains("DISABLE_AUTOUPDATER=1"));
        assertTrue(dockerfile.contains("useradd --uid 1000 --gid 1000") && dockerfile.contains(" claude"));
        assertTrue(dockerfile.contains(" git "), "git for workspace checkouts");
        Matcher from = Pattern.compile("(?m)^ARG NODE_IMAGE=node:(\\d+)-bookworm-slim$").matcher(dockerfile);
        assertTrue(from.find(), "a Debian slim Node base");
        assertTrue(Integer.parseInt(from.group(1)) >= 22, "the CLI's package needs Node 22 or later");
    }

    private static String argDefault(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(dockerfile);
        assertTrue(m.find(), "ARG " + name + "=… in " + DOCKERFILE);
        return m.group(1);
    }

    private static String last(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse("");
    }
}
