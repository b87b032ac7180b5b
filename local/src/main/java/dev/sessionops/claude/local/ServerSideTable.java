package dev.sessionops.claude.local;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-side printing, as the kube-apiserver does it for a custom resource (apiextensions-apiserver's
 * {@code tableconvertor}): an object or a list becomes a {@code meta.k8s.io/v1 Table} whose columns are "Name" and the
 * CRD's {@code additionalPrinterColumns}, so {@code kubectl get} prints the same columns as on a cluster. Cells follow
 * the column's type: {@code date} as a human age ({@code 5m10s}), {@code integer}/{@code number}/{@code boolean} as
 * JSON values, {@code string} as text; a path that finds nothing is an empty cell. Pure: no I/O.
 */
final class ServerSideTable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The simple JSON paths a CRD allows for printer columns: {@code .a.b}, {@code .a[0].b}. */
    private static final Pattern SIMPLE_PATH = Pattern.compile("(\\.[A-Za-z0-9_-]+(\\[[0-9]+\\])?)+");

    /** One printer column of a CRD. */
    record Column(String name, String type, String format, String description, int priority, String jsonPath) {
        Column {
            if (!SIMPLE_PATH.matcher(jsonPath).matches()) {
                throw new IllegalArgumentException("not a simple JSON path: " + jsonPath);
            }
        }
    }

    /** What the request's {@code includeObject} asks to carry with each row. */
    enum IncludeObject {
        NONE, METADATA, OBJECT;

        static IncludeObject of(String param) {
            if (param == null || param.isEmpty() || param.equals("Metadata")) {
                return METADATA;
            }
            return switch (param) {
                case "None" -> NONE;
                case "Object" -> OBJECT;
                default -> throw new IllegalArgumentException("includeObject must be None, Metadata or Object");
            };
        }
    }

    /** The media type of a Table response. */
    static final String CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private ServerSideTable() {
    }

    /**
     * One watch event ({@code {"type", "object"}}) with its object as a one-row Table, as a watch asked for Tables
     * gets them; ERROR and BOOKMARK events stay as they are.
     */
    static String watchEvent(JsonNode event, List<Column> columns, IncludeObject include, Instant now) {
        try {
            String type = event.path("type").asText();
            if (type.equals("ERROR") || type.equals("BOOKMARK") || !event.path("object").isObject()) {
                return JSON.writeValueAsString(event);
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("type", type);
            out.set("object", of(event.get("object"), columns, include, now));
            return JSON.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the {@code Accept} header asks for a {@code meta.k8s.io/v1} Table (as kubectl get does). */
    static boolean wantsTable(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            java.util.Map<String, String> params = new java.util.HashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length == 2) {
                    params.put(kv[0].trim().toLowerCase(Locale.ROOT), kv[1].trim());
                }
            }
            if (parts[0].trim().equalsIgnoreCase("application/json") && "Table".equals(params.get("as"))
                    && "v1".equals(params.get("v")) && "meta.k8s.io".equals(params.get("g"))) {
                return true;
            }
        }
        return false;
    }

    /** A Table of one object or of a list's items ({@code items} present). */
    static ObjectNode of(JsonNode objectOrList, List<Column> columns, IncludeObject include, Instant now) {
        ObjectNode table = JSON.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        JsonNode sourceMeta = objectOrList.path("metadata");
        copyText(sourceMeta, metadata, "resourceVersion");
        copyText(sourceMeta, metadata, "continue");
        ArrayNode definitions = table.putArray("columnDefinitions");
        definitions.add(definition("Name", "string", "name",
                "Name must be unique within a namespace. Cannot be updated.", 0));
        columns.forEach(c -> definitions.add(definition(c.name(), c.type(), c.format(), c.description(), c.priority())));
        ArrayNode rows = table.putArray("rows");
        if (objectOrList.has("items")) {
            objectOrList.get("items").forEach(item -> rows.add(row(item, columns, include, now)));
        } else {
            rows.add(row(objectOrList, columns, include, now));
        }
        return table;
    }

    private static ObjectNode definition(String name, String type, String format, String description, int priority) {
        ObjectNode d = JSON.createObjectNode();
        d.put("name", name);
        d.put("type", type);
        d.put("format", format == null ? "" : format);
        d.put("description", description == null ? "" : description);
        d.put("priority", priority);
        return d;
    }

    private static ObjectNode row(JsonNode object, List<Column> columns, IncludeObject include, Instant now) {
        ObjectNode row = JSON.createObjectNode();
        ArrayNode cells = row.putArray("cells");
        cells.add(object.path("metadata").path("name").asText(""));
        for (Column c : columns) {
            cells.add(cell(c.type(), find(object, c.jsonPath()).orElse(null), now));
        }
        switch (include) {
            case NONE -> {
            }
            case OBJECT -> row.set("object", object);
            case METADATA -> {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", object.path("metadata"));
            }
        }
        return row;
    }

    /** The value at a simple JSON path, when there is one. */
    static Optional<JsonNode> find(JsonNode root, String path) {
        JsonNode node = root;
        for (String step : path.substring(1).split("\\.")) {
            int bracket = step.indexOf('[');
            String field = bracket < 0 ? step : step.substring(0, bracket);
            node = node.path(field);
            if (bracket >= 0) {
                node = node.path(Integer.parseInt(step.substring(bracket + 1, step.length() - 1)));
            }
            if (node.isMissingNode() || node.isNull()) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    /** A cell as the apiserver's {@code cellForJSONValue} makes it; null (an empty cell) when the type does not fit. */
    static JsonNode cell(String type, JsonNode value, Instant now) {
        if (value == null) {
            return JSON.nullNode();
        }
        return switch (type) {
            case "integer" -> value.isNumber() ? JSON.getNodeFactory().numberNode(value.asLong()) : JSON.nullNode();
            case "number" -> value.isNumber() ? JSON.getNodeFactory().numberNode(value.asDouble()) : JSON.nullNode();
            case "boolean" -> value.isBoolean() ? value : JSON.nullNode();
            case "date" -> value.isTextual() ? JSON.getNodeFactory().textNode(age(value.asText(), now)) : JSON.nullNode();
            // a string column prints whatever is there, as the JSONPath printer would
            default -> JSON.getNodeFactory().textNode(value.isValueNode() ? value.asText() : value.toString());
        };
    }

    private static String age(String timestamp, Instant now) {
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    /** Kubernetes' {@code duration.HumanDuration}: what {@code kubectl get} prints in an AGE column. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        if (from.path(field).isTextual() && !from.path(field).asText().isEmpty()) {
            to.put(field, from.path(field).asText());
        }
    }

    /** The columns of a CRD version's {@code additionalPrinterColumns} (a JSON/YAML tree). */
    static List<Column> columnsOf(JsonNode additionalPrinterColumns) {
        List<Column> out = new ArrayList<>();
        for (JsonNode c : additionalPrinterColumns) {
            out.add(new Column(c.path("name").asText(), c.path("type").asText("string"), c.path("format").asText(""),
                    c.path("description").asText(""), c.path("priority").asInt(0), c.path("jsonPath").asText()));
        }
        return out;
    }
}
