package dev.sessionops.claude.kubectl;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What the CLI reads from outside its arguments, so an in-process test can run it with a made-up environment.
 *
 * @param getenv environment variables ({@code KUBECTL_CLAUDE_API_URL})
 * @param clock  for generated message names and the ages shown in tables
 * @param random {@code n} random lowercase letters and digits, for generated message names
 */
public record Environment(Function<String, String> getenv, Clock clock, IntFunction<String> random) {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** Seeded on first use (a generated message name), not at every start. */
    private static final class Random {
        static final SecureRandom SECURE = new SecureRandom();
    }

    public static Environment system() {
        return new Environment(System::getenv, Clock.systemUTC(), Environment::randomChars);
    }

    /** The system environment with other variables (a test's). */
    public static Environment withEnv(Function<String, String> getenv) {
        return new Environment(getenv, Clock.systemUTC(), Environment::randomChars);
    }

    static String randomChars(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(ALPHABET.charAt(Random.SECURE.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
