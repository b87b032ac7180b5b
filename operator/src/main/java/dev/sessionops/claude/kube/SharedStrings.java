package dev.sessionops.claude.kube;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * The operator's Kubernetes client reads each short string once per value, not once per object: every string of up to
 * {@link #MAX_CHARS} characters it deserializes is the JVM's interned instance. The informer caches hold two copies of
 * every ClaudeMessage (the message controller's and the session controller's) and the same namespace, kind, labels,
 * reasons and session names in thousands of objects: with 10,000 messages held, strings were ~35 of ~88 MB of live heap,
 * mostly duplicates (a heap histogram of the benchmark). Interned strings are collected once nothing refers to them;
 * longer ones (a result, a prompt) are left alone.
 */
@Singleton
public class SharedStrings implements KubernetesClientObjectMapperCustomizer {
    static final int MAX_CHARS = 256;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("shared-strings").addDeserializer(String.class, new Deserializer()));
    }

    static final class Deserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return shared(super.deserialize(p, ctxt));
        }
    }

    static String shared(String s) {
        return s == null || s.length() > MAX_CHARS ? s : s.intern();
    }
}
