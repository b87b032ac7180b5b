package dev.sessionops.claude.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import dev.sessionops.claude.testing.Project;

/**
 * The chart under helm/, linted and rendered in-process by helm-java (the Helm library itself, no CLI and no
 * cluster), and its output parsed into Fabric8 objects. Kinds Fabric8 has no class for (ServiceMonitor) come back as
 * GenericKubernetesResource.
 */
final class HelmChart {
    static final Path DIR = Project.path("helm", "claude-session-operator");
    /** The value sets of the chart's ci/ folder (the chart-testing convention), besides the defaults. */
    static final Path CI = DIR.resolve("ci");
    static final String RELEASE = "claude-session-operator";
    static final String NAMESPACE = "claude-session-operator";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private HelmChart() {
    }

    static LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /** Renders with the values files (in order) and then the single values (helm's --set, typed like YAML). */
    static Rendered render(List<Path> valuesFiles, Map<String, Object> set) {
        TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (var entry : set.entrySet()) {
            template = template.set(entry.getKey(), entry.getValue());
        }
        String yaml = template.call();
        return new Rendered(yaml, parse(yaml));
    }

    static Rendered render(String ciValues) {
        return render(List.of(CI.resolve(ciValues)), Map.of());
    }

    static Rendered renderDefaults() {
        return render(List.of(), Map.of());
    }

    /** helm template's output: YAML documents separated by "---" lines, each with a "# Source:" comment. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            boolean empty = doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
            if (!empty) {
                objects.add(SERIALIZATION.unmarshal(doc));
            }
        }
        return objects;
    }

    static String appVersion() throws Exception {
        return Files.readAllLines(DIR.resolve("Chart.yaml")).stream().filter(l -> l.startsWith("appVersion:"))
                .map(l -> l.substring("appVersion:".length()).trim().replace("\"", "")).findFirst().orElseThrow();
    }

    record Rendered(String yaml, List<HasMetadata> objects) {
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        List<HasMetadata> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
        }

        <T extends HasMetadata> Optional<T> find(Class<T> type, Predicate<T> test) {
            return all(type).stream().filter(test).findFirst();
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return find(type, o -> name.equals(o.getMetadata().getName()))
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " rendered"));
        }

        Deployment operator() {
            List<Deployment> deployments = all(Deployment.class);
            if (deployments.size() != 1) {
                throw new AssertionError("expected one Deployment, got " + deployments.size());
            }
            return deployments.get(0);
        }
    }
}
