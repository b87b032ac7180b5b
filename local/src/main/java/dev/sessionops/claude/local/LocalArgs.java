package dev.sessionops.claude.local;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code java -jar claude-session-local.jar}: {@code --port N} (the API's port, the kubeconfig's;
 * default {@code CSO_LOCAL_API_PORT}, else any free one), {@code --home DIR} (default {@code CSO_LOCAL_HOME}, else
 * {@code ~/.claude-session-operator}), {@code --operator JAR} (default {@code CSO_OPERATOR_JAR}, else the checkout's
 * build), {@code --help}. Null: not given.
 */
record LocalArgs(Path operatorJar, Integer port, Path home, boolean help) {
    static final String USAGE = "usage: java -jar claude-session-local.jar [--port N] [--home DIR] [--operator quarkus-run.jar]";

    static LocalArgs parse(List<String> args) {
        Path operator = null;
        Integer port = null;
        Path home = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    return new LocalArgs(null, null, null, true);
                }
                case "--operator" -> operator = Path.of(value(args, ++i, arg, "the path of the operator's quarkus-run.jar"));
                case "--home" -> home = Path.of(value(args, ++i, arg, "a directory"));
                case "--port" -> port = port(value(args, ++i, arg, "a port number (1-65535)"));
                default -> throw new IllegalArgumentException("unknown argument " + shown(arg) + "; " + USAGE);
            }
        }
        return new LocalArgs(operator, port, home, false);
    }

    private static String value(List<String> args, int i, String flag, String what) {
        if (i >= args.size() || args.get(i).isBlank() || args.get(i).startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs " + what);
        }
        return args.get(i);
    }

    static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("the port must be a number from 1 to 65535, not " + shown(value));
    }

    private static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
