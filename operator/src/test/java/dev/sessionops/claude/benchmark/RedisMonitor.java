package dev.sessionops.claude.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis round trips counted by Redis: a {@code MONITOR} connection sees every command a client sends, and the
 * commands a script runs marked {@code [<db> lua]}. Those are left out: a script is one round trip however many
 * keys it touches ({@code INFO commandstats} would count each of its commands too). Nothing but the operator talks
 * to this Redis, so every other command is the operator's. A window is the difference of two {@link #snapshot()}s.
 */
final class RedisMonitor implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Thread reader;

    private RedisMonitor(Socket socket, BufferedReader in) {
        this.socket = socket;
        this.in = in;
        this.reader = new Thread(this::read, "redis-monitor");
        reader.setDaemon(true);
    }

    /** Connects to {@code redis://[:password@]host:port} and starts monitoring. */
    static RedisMonitor start(String redisUri) {
        URI uri = URI.create(redisUri);
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String userInfo = uri.getUserInfo();
            if (userInfo != null && userInfo.contains(":") && !userInfo.endsWith(":")) {
                out.write(command("AUTH", userInfo.substring(userInfo.indexOf(':') + 1)));
                out.flush();
                expectOk(in, socket, "AUTH");
            }
            out.write(command("MONITOR"));
            out.flush();
            expectOk(in, socket, "MONITOR");
            RedisMonitor monitor = new RedisMonitor(socket, in);
            monitor.reader.start();
            return monitor;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Client commands seen so far, by command. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        calls.forEach((command, n) -> copy.put(command, n.sum()));
        return copy;
    }

    /** What was sent between two snapshots, by command (those with none left out). */
    static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((command, n) -> {
            long d = n - before.getOrDefault(command, 0L);
            if (d > 0) {
                delta.put(command, d);
            }
        });
        return delta;
    }

    private static void expectOk(BufferedReader in, Socket socket, String command) throws IOException {
        String reply = in.readLine();
        if (!"+OK".equals(reply)) {
            socket.close();
            throw new IllegalStateException("Redis answered " + command + " with " + reply);
        }
    }

    private void read() {
        try (in) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                // +1795895522.797218 [0 127.0.0.1:43990] "set" "a" "1"   (a script's own: [0 lua])
                int open = line.indexOf(" [");
                int close = line.indexOf("] \"", open);
                if (!line.startsWith("+") || open < 0 || close < 0 || line.substring(open, close).endsWith(" lua")) {
                    continue; // +OK, or a command run by a script
                }
                int start = close + 3;
                String command = line.substring(start, line.indexOf('"', start)).toLowerCase(java.util.Locale.ROOT);
                calls.computeIfAbsent(command, c -> new LongAdder()).increment();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static byte[] command(String... words) {
        StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            resp.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
