package dev.sessionops.claude.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the figures come from, in one line: they mean little without it. */
final class HostDescription {
    private HostDescription() {
    }

    static String describe() {
        return String.format("%d cores (%s), %s memory, %s %s, Java %s", Runtime.getRuntime().availableProcessors(),
                cpuModel(), memory(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.version"));
    }

    private static String cpuModel() {
        return procLines("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("cpu unknown");
    }

    private static String memory() {
        return procLines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D+", "")) / (1024 * 1024) + " GB").orElse("unknown");
    }

    private static List<String> procLines(String file) {
        try {
            return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }
}
