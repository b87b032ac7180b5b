package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.testing.TestPki;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every route of the OpenAPI document, with hostile namespace and name values (encoded slash, {@code %23},
 * {@code ..}, {@code %2e%2e}, overlong, non-ASCII, empty segments, another namespace's name), from three callers:
 * nobody, a caller forging the front proxy's headers without its certificate, and the front proxy speaking for a
 * user allowed only in another namespace. Sent on a raw socket, exactly as written. The answers are 401, 401, and
 * 400 or 403, all Kubernetes Status objects, and none holds the victim namespace's data.
 */
@QuarkusTest
class ApiRoutesIT extends EndToEndTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @TestHTTPResource(value = "/", management = true)
    URL management;
    ApiClient api;

    @BeforeEach
    void api() throws Exception {
        ApiUsers.install(server);
        api = new ApiClient(root.toURI());
    }

    @Test
    void everyRouteWithHostileParametersIsRefusedAndLeaksNothing() {
        String victim = Harness.namespace(client, "victim");
        String attackerNs = Harness.namespace(client, "attacker");
        String marker = "marker-" + java.util.UUID.randomUUID(); // names the attacker may guess and send
        String secret = "secret-" + java.util.UUID.randomUUID(); // what only the victim's objects hold
        Harness.session(client, victim, marker, s -> s.setSuspend(true));
        message(client, victim, marker + "-01", marker, "The secret is " + secret);
        String attacker = "mallory-" + attackerNs;
        String token = ApiUsers.token(attacker);
        ApiUsers.grant(attacker, attackerNs);
        Map<String, List<String>> forged = Map.of("X-Remote-User", List.of("system:admin"),
                "X-Remote-Group", List.of("system:masters"));

        List<String> routes = routes();
        assertTrue(routes.size() >= 6, "routes in the OpenAPI document: " + routes);
        List<String> namespaces = hostile(victim, attackerNs);
        List<String> names = hostile(marker, marker + "-01");
        int requests = 0;
        for (String route : routes) {
            // each hostile namespace with the victim's object name, each hostile name in the victim's namespace
            List<String> paths = new ArrayList<>();
            for (String ns : namespaces) {
                paths.add(route.replace("{namespace}", ns).replace("{name}", marker));
            }
            if (route.contains("{name}")) {
                for (String name : names) {
                    paths.add(route.replace("{namespace}", victim).replace("{name}", name));
                    if (!name.equals(marker)) { // the plain name in the attacker's own namespace is a fair 404
                        paths.add(route.replace("{namespace}", attackerNs).replace("{name}", name));
                    }
                }
            }
            for (String path : paths) {
                ApiClient.Reply nobody = api.getRaw(path, null, Map.of());
                assertEquals(401, nobody.status(), path + " " + nobody.raw());
                ApiClient.Reply forger = api.getRaw(path, TestPki.FORGED, forged);
                assertEquals(401, forger.status(), path + " " + forger.raw());
                ApiClient.Reply other = api.getRaw(path, TestPki.FRONT_PROXY, Map.of("X-Remote-User", List.of(attacker),
                        "X-Remote-Group", List.of("system:authenticated")));
                assertTrue(Set.of(400, 403).contains(other.status()), path + " " + other.status() + " " + other.raw());
                for (ApiClient.Reply r : List.of(nobody, forger, other)) {
                    assertFalse(r.raw().contains(secret) || r.raw().contains("\"items\"") || r.raw().contains("\"prompt\""),
                            path + " leaked: " + r.raw());
                    assertEquals("Status", r.body().get("kind").asText(), path + " " + r.raw());
                }
                requests += 3;
            }
        }
        assertTrue(requests > 250, "requests sent: " + requests);
        // the same user reads its own namespace: the refusals above were about the values, not the user
        assertEquals(200, api.getAs(token, ApiPaths.BASE + "/namespaces/" + attackerNs + "/sessions").status());
    }

    /** The API's paths with {namespace} or {name}, from the OpenAPI document on the management port. */
    private List<String> routes() {
        ApiClient.Reply doc = new ApiClient(URI.create(management.toString())).get("openapi?format=json");
        assertEquals(200, doc.status(), doc.raw());
        List<String> routes = new ArrayList<>();
        for (var it = doc.body().get("paths").fieldNames(); it.hasNext();) {
            String p = it.next();
            if (p.startsWith(ApiPaths.BASE + "/") && p.contains("{namespace}")) {
                routes.add(p);
            }
        }
        return routes;
    }

    /**
     * Values meant to reach {@code victim} (or its object) from a request about {@code own}: the plain name (an
     * authorization question), and syntax tricks that a re-parse, a decode or a normalisation could turn into it.
     */
    private static List<String> hostile(String victim, String own) {
        return List.of(victim, own + "%2F..%2F" + victim, own + "%2f" + victim, victim + "%23", victim + "%23x",
                "..", "%2e%2e", "%2E%2E%2F" + victim, own + "/../" + victim, "a".repeat(300), "caf%C3%A9", "",
                victim.toUpperCase(), victim + "%00", victim + ";x", "%20" + victim, "caf\u00e9");
    }

}
