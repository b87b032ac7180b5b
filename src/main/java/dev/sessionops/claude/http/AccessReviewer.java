package dev.sessionops.claude.http;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Asks the API server whether a caller may {@code get} a kind of resource in a namespace (SubjectAccessReview), so
 * the API shows exactly what {@code kubectl get} would: the cluster's own RBAC decides, nothing is configured here.
 */
@ApplicationScoped
public class AccessReviewer {
    public static final String VERB = "get";

    private final KubernetesClient client;

    public AccessReviewer(KubernetesClient client) {
        this.client = client;
    }

    public boolean allowed(Caller caller, String namespace, String resource) {
        SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(caller.username()).withUid(caller.uid()).withGroups(caller.groups()).withExtra(caller.extra())
                .withNewResourceAttributes()
                .withNamespace(namespace).withVerb(VERB).withGroup(ClaudeSession.GROUP).withResource(resource)
                .endResourceAttributes()
                .endSpec().build());
        return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    }
}
