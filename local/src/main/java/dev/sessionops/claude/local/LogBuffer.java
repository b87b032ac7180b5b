package dev.sessionops.claude.local;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A container's output (stdout and stderr interleaved, as a pod log), readable while it is written. */
final class LogBuffer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
    }

    synchronized void append(String text) {
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
