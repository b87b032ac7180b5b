package dev.sessionops.claude.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * A Lua script sent as {@code EVALSHA}: its SHA-1, not its text. A run appends one event per stream-json line and a
 * message records its history in a few scripts, each up to ~2 KB of text: with {@code EVAL} every call carried it all
 * for Redis to hash again; the SHA is 40 bytes.
 *
 * <p>Redis knows a script by its SHA once it has run it, until it loses its script cache (a restart, {@code SCRIPT
 * FLUSH}, a failover to a replica that never ran it). Then {@code EVALSHA} answers {@code NOSCRIPT}, and the call is
 * sent once more as {@code EVAL} with the text, which caches it again. Any other error is the caller's, unchanged.
 */
public final class LuaScript {
    /** How Redis begins the error of an {@code EVALSHA} whose script it does not have. */
    static final String NOSCRIPT = "NOSCRIPT";

    private final String text;
    private final String sha;

    public LuaScript(String text) {
        this.text = text;
        this.sha = sha1Hex(text);
    }

    /** The script's text. */
    public String text() {
        return text;
    }

    /** The SHA-1 of the text (lower-case hex) by which Redis knows it. */
    public String sha() {
        return sha;
    }

    /**
     * Runs the script: {@code EVALSHA sha numkeys key... arg...}, or, when Redis does not have it, {@code EVAL} with
     * its text once.
     *
     * @param keysCountKeysAndArgs how many keys follow, the keys, then the arguments: what {@code EVAL} takes after
     *                             the script
     */
    public Response execute(RedisDataSource redis, String... keysCountKeysAndArgs) {
        String[] command = new String[keysCountKeysAndArgs.length + 1];
        System.arraycopy(keysCountKeysAndArgs, 0, command, 1, keysCountKeysAndArgs.length);
        command[0] = sha;
        try {
            return redis.execute("EVALSHA", command);
        } catch (RuntimeException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            command[0] = text;
            return redis.execute("EVAL", command);
        }
    }

    /**
     * Whether Redis answered {@code NOSCRIPT}. The blocking data source fails with a
     * {@link java.util.concurrent.CompletionException} around Vert.x' {@code ErrorType} (a {@link Throwable}, not an
     * exception), both with the message Redis sent ({@code NOSCRIPT No matching script. Please use EVAL.}): the chain
     * is searched, so a different wrapping finds it too.
     */
    static boolean isNoScript(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.startsWith(NOSCRIPT)) {
                return true;
            }
        }
        return false;
    }

    static String sha1Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a JDK standard algorithm", e);
        }
    }
}
