package dev.sessionops.claude.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator process's memory and threads, as the kernel and the JVM see them: resident set now and at its peak
 * ({@code VmRSS}, {@code VmHWM} of {@code /proc/<pid>/status}), live threads ({@code Threads}), and the heap in
 * use right after a full collection ({@code jcmd <pid> GC.run}, then {@code jstat -gc}: survivor, eden and old
 * spaces used), which is what the objects held take, without the garbage not yet collected.
 */
record OperatorFootprint(long rssKb, long peakRssKb, long heapAfterGcKb, int threads, String nativeMemory) {

    /** Reads the process now; collects its garbage first (a full GC: never call it inside a timed window). */
    static OperatorFootprint of(long pid) {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        long heap;
        try {
            heap = heapAfterGc(pid);
        } catch (RuntimeException e) {
            // no attach (another user, or attach disabled): the other figures still stand
            System.err.println("heap after GC not measured: " + e.getMessage());
            heap = -1;
        }
        try {
            List<String> lines = Files.readAllLines(status, StandardCharsets.UTF_8);
            return new OperatorFootprint(field(lines, "VmRSS"), field(lines, "VmHWM"), heap,
                    (int) field(lines, "Threads"), nativeMemory(pid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String describe() {
        return String.format("RSS %d MB (peak %d MB), heap after GC %s, %d live threads%s", rssKb / 1024,
                peakRssKb / 1024, heapAfterGcKb < 0 ? "unknown" : heapAfterGcKb / 1024 + " MB", threads,
                nativeMemory == null ? "" : "\n    committed by Native Memory Tracking (MB): " + nativeMemory);
    }

    /**
     * Where the JVM's memory goes by category, committed, when the operator runs with
     * {@code -XX:NativeMemoryTracking=summary} (through {@code bench.operator.jvm-options}); else null.
     */
    private static String nativeMemory(long pid) {
        String summary;
        try {
            summary = run(jdkTool("jcmd"), String.valueOf(pid), "VM.native_memory", "summary", "scale=KB");
        } catch (RuntimeException e) {
            return null;
        }
        if (!summary.contains("committed=")) {
            return null; // not enabled
        }
        // "-                 Java Heap (reserved=…KB, committed=…KB)": the category and its committed size
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^-\\s+([A-Za-z ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB").matcher(summary);
        java.util.StringJoiner parts = new java.util.StringJoiner(", ");
        while (m.find()) {
            long mb = Long.parseLong(m.group(2)) / 1024;
            if (mb > 0) {
                parts.add(m.group(1).trim().toLowerCase(java.util.Locale.ROOT) + " " + mb);
            }
        }
        java.util.regex.Matcher total = java.util.regex.Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB")
                .matcher(summary);
        return (total.find() ? "total " + Long.parseLong(total.group(1)) / 1024 + ": " : "") + parts;
    }

    private static long field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> Long.parseLong(l.substring(name.length() + 1).trim().split("\\s+")[0]))
                .orElseThrow(() -> new IllegalStateException("no " + name + " in /proc status"));
    }

    private static long heapAfterGc(long pid) {
        run(jdkTool("jcmd"), String.valueOf(pid), "GC.run");
        // S0C S1C S0U S1U EC EU OC OU MC MU ...: header line, then the values (KB)
        String[] lines = run(jdkTool("jstat"), "-gc", String.valueOf(pid)).trim().split("\n");
        List<String> header = Arrays.asList(lines[0].trim().split("\\s+"));
        String[] values = lines[1].trim().split("\\s+");
        double used = 0;
        for (String column : List.of("S0U", "S1U", "EU", "OU")) {
            used += Double.parseDouble(values[header.indexOf(column)]);
        }
        return Math.round(used);
    }

    /** The tool of the JDK running the benchmark (the operator runs on the same one), else the one on PATH. */
    private static String jdkTool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        return Files.isExecutable(tool) ? tool.toString() : name;
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
