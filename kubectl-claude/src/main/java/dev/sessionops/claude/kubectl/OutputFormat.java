package dev.sessionops.claude.kubectl;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** {@code -o json|yaml}: machine-readable output for scripts (the default, no {@code -o}, is for people). */
enum OutputFormat {
    json, yaml;

    /**
     * The mappers, made on first use: picocli reads this enum at every start (the option's values), and two
     * ObjectMappers cost a tenth of a second there for commands without {@code -o}.
     */
    private static final class Mappers {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    }

    String render(JsonNode value) {
        try {
            String text = (this == json ? Mappers.JSON : Mappers.YAML).writeValueAsString(value);
            return text.endsWith("\n") ? text : text + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void print(PrintWriter out, JsonNode value) {
        out.print(render(value));
        out.flush();
    }
}
