package dev.sessionops.claude.kube;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * The operator's Kubernetes client reads every object without {@code metadata.managedFields}: nothing here uses them
 * (the dependents only create; every write is a JSON patch or a create), and in the informer caches they were most of
 * the heap: ~38 maps per entry, two entries per ClaudeMessage, about 90 of 149 MB with 10,000 messages held (a heap
 * histogram of the benchmark). Ignored both ways, so no write ever sends them either.
 */
@Singleton
public class WithoutManagedFields implements KubernetesClientObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(ObjectMeta.class, Mixin.class);
    }

    /**
     * Jackson's view of {@link ObjectMeta}: the one property ignored by name, everything else as Fabric8 declares it.
     * By name at the class, since an ignored property would otherwise still reach ObjectMeta's additionalProperties
     * (its any-setter).
     */
    @JsonIgnoreProperties({ "managedFields" })
    abstract static class Mixin {
    }
}
