package org.contactsync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route file validates against the JSON schema camel-yaml-dsl ships ({@code schema/camelYamlDsl.json}), the one
 * Kaoto and VS Code's Camel tooling check the files with: an engineer editing a route in them sees no false errors, and
 * a key that is misspelled or in the wrong place fails here.
 */
class RouteSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Schema SCHEMA = schema();

    static Stream<Path> routeFiles() throws IOException {
        return Files.list(Path.of("routes")).filter(file -> file.toString().endsWith(".camel.yaml")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void theRouteFileValidatesAgainstCamelsYamlDslSchema(Path file) throws IOException {
        JsonNode routes = YAML.readTree(file.toFile());
        List<Error> errors = SCHEMA.validate(routes);
        // one line a place: a value in the wrong shape fails every alternative the schema offers for it
        Map<String, String> first = new LinkedHashMap<>();
        errors.forEach(error -> first.putIfAbsent(error.getInstanceLocation().toString(), error.getMessage()));
        assertThat(errors).as(file + ":\n" + String.join("\n", first.entrySet().stream().map(place -> place.getKey() + ": " + place.getValue())
                .toList())).isEmpty();
    }

    private static Schema schema() {
        try (InputStream in = YamlRoutesBuilderLoader.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("camel-yaml-dsl carries its schema", e);
        }
    }
}
