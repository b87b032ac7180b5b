package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on 127.0.0.1: for tests without persistence in a temp dir, for local mode persistent
 * (append-only file) in a directory that outlives it. {@link #stop()} and {@link #start()} again reuse the same port,
 * so a client configured once sees an outage and a recovery.
 * <p>
 * The persistent one is local mode's: its directory 0700, its files 0600 (the server runs with umask 077), and a
 * password per start ({@code requirepass}, in a 0600 config file, never on the command line where {@code ps} shows
 * it): a container's processes share the loopback interface and must not read or rewrite the history.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);
    /** The persistent server's config file: its password. */
    static final String CONFIG = "redis.conf";

    private final int port;
    private final Path dir;
    private final boolean persistent;
    private final String password;
    private Process process;

    private RedisServer(int port, Path dir, boolean persistent, String password) {
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
        this.password = password;
    }

    /** A server on a free port keeping its data (append-only file) in {@code dir}, which {@link #close()} keeps. */
    public static RedisServer persistent(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Pki.writePrivate(dir.resolve(CONFIG), "requirepass " + password + "\n");
        RedisServer server = new RedisServer(freePort(), dir, true, password);
        server.start();
        return server;
    }

    /** Starts a server on a free port. */
    public static RedisServer startOnFreePort() {
        return startOnPort(freePort());
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RedisServer startOnPort(int port) {
        try {
            RedisServer server = new RedisServer(port, Files.createTempDirectory("redis-test"), false, null);
            try {
                server.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://[:<password>@]127.0.0.1:<port>}, the value of {@code quarkus.redis.hosts}: a secret when it has a password. */
    public String uri() {
        return password == null ? displayUri() : "redis://:" + password + "@127.0.0.1:" + port;
    }

    /** {@code redis://127.0.0.1:<port>}, without the password: for logs. */
    public String displayUri() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server (again) on its port and waits until it answers PING; no-op while running. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path log = dir.resolve("redis.log");
        // umask 077: the append-only files and the rest it writes are 0600; the config file (the password) goes first
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"", executable()));
        if (password != null) {
            command.add(dir.resolve(CONFIG).toString());
        }
        command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--dir", dir.toString(), "--daemonize", "no"));
        try {
            if (!Files.exists(log)) {
                Pki.writePrivate(log, "");
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!ping()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String exit = process.isAlive() ? "still running" : "exit code " + process.exitValue();
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not answer PING on port " + port + " (" + exit + ", "
                        + command + "):\n" + read(log));
            }
            sleep(20);
        }
    }

    /** Stops the server (a simulated outage); the port is free again when this returns. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** True when something on the port answers {@code PING} with {@code +PONG}. */
    public boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            String auth = password == null ? "" : "AUTH " + password + "\r\n";
            String expected = (password == null ? "" : "+OK\r\n") + "+PONG\r\n";
            out.write((auth + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[expected.length()];
            int n = in.readNBytes(reply, 0, reply.length);
            return new String(reply, 0, n, StandardCharsets.US_ASCII).equals(expected);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        if (persistent) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    private static String executable() {
        return Prerequisites.onPath(System.getenv(), "redis-server").map(Path::toString).orElseThrow(() ->
                new IllegalStateException("redis-server is not on PATH: install it with `apt-get install redis-server`"));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
