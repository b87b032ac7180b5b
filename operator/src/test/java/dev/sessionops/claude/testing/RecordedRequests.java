package dev.sessionops.claude.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** The requests a Fabric8 mock API server received since the last drain, as "METHOD path", in order. */
public final class RecordedRequests {
    private RecordedRequests() {
    }

    public static List<String> drain(KubernetesMockServer server) throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            requests.add(r.getMethod() + " " + r.getPath());
        }
        return requests;
    }
}
