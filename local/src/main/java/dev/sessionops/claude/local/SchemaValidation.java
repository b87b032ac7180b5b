package dev.sessionops.claude.local;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A custom resource checked against its CRD's structural schema as the kube-apiserver checks it on every write: types
 * (with {@code x-kubernetes-int-or-string}), {@code required}, {@code enum}, {@code pattern}, lengths, bounds, item
 * and property counts, and fields the schema does not declare (outside {@code x-kubernetes-preserve-unknown-fields}).
 * Not evaluated: CEL rules ({@code x-kubernetes-validations}) — the operator's own checks report those cases with a
 * condition. Messages read like the API server's field errors ({@code spec.maxTurns: Invalid value: 0: …}). Pure.
 */
final class SchemaValidation {
    /** One field error; {@code unknownField} for a field the schema does not declare. */
    record Violation(String field, String reason, String message, boolean unknownField) {
    }

    /** The CRDs' patterns, compiled once (a handful, fixed with the build). */
    private static final java.util.Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The top-level fields every object has beside what the CRD's schema declares. */
    private static final List<String> OBJECT_FIELDS = List.of("apiVersion", "kind", "metadata");

    private SchemaValidation() {
    }

    /** Every violation of {@code object} against {@code openAPIV3Schema} (the CRD version's). */
    static List<Violation> validate(JsonNode openAPIV3Schema, JsonNode object) {
        List<Violation> out = new ArrayList<>();
        if (!object.isObject()) {
            out.add(new Violation("", "FieldValueTypeInvalid", "the object must be a JSON object", false));
            return out;
        }
        JsonNode properties = openAPIV3Schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (OBJECT_FIELDS.contains(field.getKey())) {
                continue; // metadata is the API server's own, checked by the embedded API
            }
            JsonNode schema = properties.get(field.getKey());
            if (schema == null) {
                out.add(unknown(field.getKey()));
            } else {
                check(schema, field.getValue(), field.getKey(), out);
            }
        }
        required(openAPIV3Schema, object, "", out);
        return out;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        if (value == null || value.isNull()) {
            return; // the API server drops a null it cannot keep before validating
        }
        boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
        String type = schema.path("type").asText("");
        if (intOrString) {
            if (!(value.isIntegralNumber() || value.isTextual())) {
                out.add(typeError(path, value, "integer or string"));
            }
            return;
        }
        if (!type.isEmpty() && !hasType(value, type)) {
            out.add(typeError(path, value, type));
            return;
        }
        JsonNode enums = schema.get("enum");
        if (enums != null && enums.isArray()) {
            boolean found = false;
            for (JsonNode e : enums) {
                found |= e.equals(value) || e.isNumber() && value.isNumber() && e.decimalValue().compareTo(value.decimalValue()) == 0;
            }
            if (!found) {
                List<String> supported = new ArrayList<>();
                enums.forEach(e -> supported.add(e.toString()));
                out.add(new Violation(path, "FieldValueNotSupported", path + ": Unsupported value: " + value
                        + ": supported values: " + String.join(", ", supported), false));
            }
        }
        if (value.isTextual()) {
            strings(schema, value.asText(), path, out);
        } else if (value.isNumber()) {
            numbers(schema, value, path, out);
        } else if (value.isArray()) {
            counts(schema, value.size(), "minItems", "maxItems", "items", path, out);
            JsonNode items = schema.get("items");
            for (int i = 0; i < value.size() && items != null; i++) {
                check(items, value.get(i), path + "[" + i + "]", out);
            }
        } else if (value.isObject()) {
            counts(schema, value.size(), "minProperties", "maxProperties", "properties", path, out);
            objects(schema, value, path, out);
        }
    }

    private static void objects(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String child = path + "." + field.getKey();
            if (properties != null && properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), child, out);
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), path + "[" + field.getKey() + "]", out);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                out.add(unknown(child));
            }
        }
        required(schema, value, path, out);
    }

    private static void required(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        for (JsonNode name : schema.path("required")) {
            JsonNode present = value.get(name.asText());
            if (present == null || present.isNull()) {
                String field = path.isEmpty() ? name.asText() : path + "." + name.asText();
                out.add(new Violation(field, "FieldValueRequired", field + ": Required value", false));
            }
        }
    }

    private static void strings(JsonNode schema, String s, String path, List<Violation> out) {
        if (schema.has("maxLength") && s.codePointCount(0, s.length()) > schema.get("maxLength").asLong()) {
            out.add(new Violation(path, "FieldValueTooLong", path + ": Too long: may not be more than "
                    + schema.get("maxLength").asLong() + " bytes", false));
        }
        if (schema.has("minLength") && s.codePointCount(0, s.length()) < schema.get("minLength").asLong()) {
            out.add(invalid(path, quoted(s), "should be at least " + schema.get("minLength").asLong() + " chars long"));
        }
        if (schema.has("pattern")) {
            String pattern = schema.get("pattern").asText();
            try {
                if (!PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(s).find()) {
                    out.add(invalid(path, quoted(s), "should match '" + pattern + "'"));
                }
            } catch (PatternSyntaxException e) {
                // a pattern Java cannot read is the CRD's problem, not this object's
            }
        }
    }

    private static void numbers(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        BigDecimal v = value.decimalValue();
        if (schema.has("minimum")) {
            BigDecimal min = schema.get("minimum").decimalValue();
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? v.compareTo(min) <= 0 : v.compareTo(min) < 0) {
                out.add(invalid(path, value.toString(), "should be greater than " + (exclusive ? "" : "or equal to ")
                        + number(min)));
            }
        }
        if (schema.has("maximum")) {
            BigDecimal max = schema.get("maximum").decimalValue();
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? v.compareTo(max) >= 0 : v.compareTo(max) > 0) {
                out.add(invalid(path, value.toString(), "should be less than " + (exclusive ? "" : "or equal to ")
                        + number(max)));
            }
        }
    }

    private static void counts(JsonNode schema, int size, String minKey, String maxKey, String what, String path,
            List<Violation> out) {
        if (schema.has(maxKey) && size > schema.get(maxKey).asLong()) {
            out.add(new Violation(path, "FieldValueTooMany", path + ": Too many: " + size + ": must have at most "
                    + schema.get(maxKey).asLong() + " " + what, false));
        }
        if (schema.has(minKey) && size < schema.get(minKey).asLong()) {
            out.add(invalid(path, String.valueOf(size), "should have at least " + schema.get(minKey).asLong() + " " + what));
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber() || value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0;
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
    }

    private static Violation typeError(String path, JsonNode value, String type) {
        String actual = value.isObject() ? "object" : value.isArray() ? "array" : value.isTextual() ? "string"
                : value.isBoolean() ? "boolean" : value.isNumber() ? "number" : "null";
        return new Violation(path, "FieldValueTypeInvalid", path + ": Invalid value: \"" + actual + "\": " + path
                + " in body must be of type " + type + ": \"" + actual + "\"", false);
    }

    private static Violation invalid(String path, String shown, String rule) {
        return new Violation(path, "FieldValueInvalid", path + ": Invalid value: " + shown + ": " + path + " in body "
                + rule, false);
    }

    private static Violation unknown(String path) {
        return new Violation(path, "FieldValueUnknown", "unknown field \"" + path + "\"", true);
    }

    private static String quoted(String s) {
        return "\"" + (s.length() > 64 ? s.substring(0, 64) + "…" : s).replace("\"", "\\\"") + "\"";
    }

    private static String number(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }
}
