package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** What the API front changes in the embedded API's answers so kubectl prints and watches as against a cluster. */
class ServerSidePrintingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final List<ServerSideTable.Column> COLUMNS = List.of(
            new ServerSideTable.Column("Age", "date", "", "", 0, ".metadata.creationTimestamp"),
            new ServerSideTable.Column("Session", "string", "", "", 0, ".spec.sessionRef.name"),
            new ServerSideTable.Column("Cost", "number", "", "", 0, ".status.costUsd"),
            new ServerSideTable.Column("Turns", "integer", "", "", 1, ".status.numTurns"),
            new ServerSideTable.Column("First", "string", "", "", 1, ".status.conditions[0].reason"));

    @Test
    void humanDurationsAsKubectlPrintsThem() {
        assertEquals("0s", ServerSideTable.humanDuration(Duration.ofSeconds(-1)));
        assertEquals("<invalid>", ServerSideTable.humanDuration(Duration.ofSeconds(-5)));
        assertEquals("119s", ServerSideTable.humanDuration(Duration.ofSeconds(119)));
        assertEquals("2m", ServerSideTable.humanDuration(Duration.ofSeconds(120)));
        assertEquals("5m10s", ServerSideTable.humanDuration(Duration.ofSeconds(310)));
        assertEquals("42m", ServerSideTable.humanDuration(Duration.ofMinutes(42)));
        assertEquals("3h5m", ServerSideTable.humanDuration(Duration.ofMinutes(185)));
        assertEquals("20h", ServerSideTable.humanDuration(Duration.ofHours(20)));
        assertEquals("3d4h", ServerSideTable.humanDuration(Duration.ofHours(76)));
        assertEquals("30d", ServerSideTable.humanDuration(Duration.ofDays(30)));
        assertEquals("2y10d", ServerSideTable.humanDuration(Duration.ofDays(740)));
    }

    @Test
    void aListBecomesATableWithTheCrdsColumns() throws Exception {
        JsonNode list = JSON.readTree("""
                {"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"42"},"items":[
                 {"kind":"ClaudeMessage","metadata":{"name":"m1","namespace":"default","creationTimestamp":"2026-11-28T11:55:00Z"},
                  "spec":{"sessionRef":{"name":"demo"}},
                  "status":{"costUsd":0.25,"numTurns":3,"conditions":[{"reason":"Completed"}]}},
                 {"kind":"ClaudeMessage","metadata":{"name":"m2","creationTimestamp":"not a time"},"spec":{},
                  "status":{"costUsd":"free","numTurns":2.0}}]}""");
        JsonNode table = ServerSideTable.of(list, COLUMNS, ServerSideTable.IncludeObject.METADATA, NOW);
        assertEquals("Table", table.get("kind").asText());
        assertEquals("meta.k8s.io/v1", table.get("apiVersion").asText());
        assertEquals("42", table.at("/metadata/resourceVersion").asText());
        assertEquals("[\"Name\",\"Age\",\"Session\",\"Cost\",\"Turns\",\"First\"]",
                JSON.writeValueAsString(table.get("columnDefinitions").findValuesAsText("name")));
        assertEquals("name", table.at("/columnDefinitions/0/format").asText());
        assertEquals("[\"m1\",\"5m\",\"demo\",0.25,3,\"Completed\"]", table.at("/rows/0/cells").toString());
        // a value of the wrong type or a path that finds nothing is an empty cell; a bad date is "<invalid>"
        assertEquals("[\"m2\",\"<invalid>\",null,null,2,null]", table.at("/rows/1/cells").toString());
        assertEquals("PartialObjectMetadata", table.at("/rows/0/object/kind").asText());
        assertEquals("default", table.at("/rows/0/object/metadata/namespace").asText());
        assertTrue(table.at("/rows/0/object/spec").isMissingNode(), "metadata only");

        JsonNode none = ServerSideTable.of(list, COLUMNS, ServerSideTable.IncludeObject.NONE, NOW);
        assertTrue(none.at("/rows/0/object").isMissingNode());
        JsonNode whole = ServerSideTable.of(list.at("/items/0"), COLUMNS, ServerSideTable.IncludeObject.OBJECT, NOW);
        assertEquals(1, whole.get("rows").size(), "one object, one row");
        assertEquals("demo", whole.at("/rows/0/object/spec/sessionRef/name").asText());
    }

    @Test
    void onlyATableAcceptHeaderGetsOne() {
        assertTrue(ServerSideTable.wantsTable("application/json;as=Table;v=v1;g=meta.k8s.io,"
                + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"));
        assertTrue(ServerSideTable.wantsTable("application/json; as=Table; g=meta.k8s.io; v=v1"));
        assertFalse(ServerSideTable.wantsTable("application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
        assertFalse(ServerSideTable.wantsTable("application/json"));
        assertFalse(ServerSideTable.wantsTable("application/yaml;as=Table;v=v1;g=meta.k8s.io"));
        assertFalse(ServerSideTable.wantsTable(null));
        assertEquals(ServerSideTable.IncludeObject.METADATA, ServerSideTable.IncludeObject.of(null));
        assertEquals(ServerSideTable.IncludeObject.OBJECT, ServerSideTable.IncludeObject.of("Object"));
        assertThrows(IllegalArgumentException.class, () -> ServerSideTable.IncludeObject.of("Everything"));
        assertThrows(IllegalArgumentException.class,
                () -> new ServerSideTable.Column("x", "string", "", "", 0, ".status[?(@.x)]"));
    }

    @Test
    void watchEventsCarryOneRowTablesAndReplaysAreDropped() throws Exception {
        String added = "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ClaudeMessage\",\"metadata\":{\"name\":\"m1\","
                + "\"resourceVersion\":\"7\",\"creationTimestamp\":\"2026-11-28T11:59:00Z\"}}}";
        JsonNode event = JSON.readTree(ServerSideTable.watchEvent(JSON.readTree(added), COLUMNS,
                ServerSideTable.IncludeObject.METADATA, NOW));
        assertEquals("ADDED", event.get("type").asText());
        assertEquals("Table", event.at("/object/kind").asText());
        assertEquals("m1", event.at("/object/rows/0/cells/0").asText());
        String error = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}";
        assertEquals(error, ServerSideTable.watchEvent(JSON.readTree(error), COLUMNS, ServerSideTable.IncludeObject.METADATA, NOW));

        assertEquals(0, HttpWatch.since(null));
        assertEquals(0, HttpWatch.since("0"));
        assertEquals(0, HttpWatch.since("abc"));
        assertEquals(12, HttpWatch.since("12"));
        assertTrue(HttpWatch.isReplay(HttpWatch.parse(added), 7), "the object as the list already showed it");
        assertFalse(HttpWatch.isReplay(HttpWatch.parse(added), 6));
        assertFalse(HttpWatch.isReplay(HttpWatch.parse(added), 0), "a watch from no version gets every object");
        assertEquals(null, HttpWatch.parse("not json"), "passed on as it came");
    }

    @Test
    void listsAreNamedByTheirItems() throws Exception {
        JsonNode events = ListKinds.named(JSON.readTree(
                "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Event\"}]}"));
        assertEquals("EventList", events.get("kind").asText());
        JsonNode messages = ListKinds.named(JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":"
                + "\"claude.sessionops.dev/v1alpha1\",\"kind\":\"ClaudeMessage\"}]}"));
        assertEquals("ClaudeMessageList", messages.get("kind").asText());
        assertEquals("claude.sessionops.dev/v1alpha1", messages.get("apiVersion").asText());
        assertEquals("List", ListKinds.named(JSON.readTree("{\"kind\":\"List\",\"items\":[]}")).get("kind").asText());

        assertTrue(ApiFront.isCollectionPath("/api/v1/namespaces/default/events"));
        assertTrue(ApiFront.isCollectionPath("/api/v1/namespaces"));
        assertTrue(ApiFront.isCollectionPath("/apis/claude.sessionops.dev/v1alpha1/claudemessages"));
        assertFalse(ApiFront.isCollectionPath("/api/v1/namespaces/default"));
        assertFalse(ApiFront.isCollectionPath("/api/v1/namespaces/default/pods/p1/log"));
        assertFalse(ApiFront.isCollectionPath("/apis/claude.sessionops.dev/v1alpha1"));
        assertTrue(ApiFront.isWatch("true"));
        assertTrue(ApiFront.isWatch("1"));
        assertFalse(ApiFront.isWatch("false"));
    }

    @Test
    void columnsAreFoundByPathFromTheShippedCrds() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> crds = List.of(
                yaml.readTree(getClass().getClassLoader().getResource("META-INF/cso/crds/claudemessages.claude.sessionops.dev-v1.yml")),
                yaml.readTree(getClass().getClassLoader().getResource("META-INF/cso/crds/claudesessions.claude.sessionops.dev-v1.yml")));
        CustomResources columns = CustomResources.of(crds);
        List<String> names = columns.columnsFor("/apis/claude.sessionops.dev/v1alpha1/namespaces/team-a/claudesessions")
                .orElseThrow().stream().map(ServerSideTable.Column::name).toList();
        assertTrue(names.containsAll(List.of("Age", "Phase", "Messages", "Session ID")), names.toString());
        assertTrue(columns.columnsFor("/apis/claude.sessionops.dev/v1alpha1/namespaces/team-a/claudemessages/m1").isPresent());
        assertTrue(columns.columnsFor("/apis/claude.sessionops.dev/v1alpha1/claudemessages").isPresent());
        assertTrue(columns.columnsFor("/apis/claude.sessionops.dev/v1alpha1/namespaces/team-a/claudemessages/m1/status").isEmpty());
        assertTrue(columns.columnsFor("/apis/claude.sessionops.dev/v1alpha1/namespaces/team-a").isEmpty());
        assertTrue(columns.columnsFor("/api/v1/namespaces/default/configmaps").isEmpty());
    }
}
