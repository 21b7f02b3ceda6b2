package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ConfigurationReferenceTest {

  /** Set to true to rewrite the file instead of failing. */
  private static final String UPDATE_PROPERTY = "cosmos.updateDocs";

  private static final Path REFERENCE = Paths.get("..", "docs", "configuration.md");

  @Test
  void docsConfigurationMdMatchesTheOptionDeclarations() throws IOException {
    String generated = ConfigurationReference.markdown();
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.write(REFERENCE, generated.getBytes(StandardCharsets.UTF_8));
    }
    String onDisk =
        Files.exists(REFERENCE)
            ? new String(Files.readAllBytes(REFERENCE), StandardCharsets.UTF_8)
            : "";
    assertEquals(
        generated,
        onDisk,
        "docs/configuration.md is stale. Regenerate it: mvn -pl cosmos-spark-core test"
            + " -Dtest=ConfigurationReferenceTest -D"
            + UPDATE_PROPERTY
            + "=true");
  }

  @Test
  void everyOptionIsDocumented() {
    for (CosmosOption<?> option : CosmosOptions.all()) {
      assertEquals(
          true, option.doc().length() > 20, "option " + option.key() + " needs a description");
    }
  }
}
