package io.cdrpipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads raw CDR files with Jackson's tree model, independently of the product's Normalizer, so
 * tests can compute what the pipeline should produce.
 */
public final class RawFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RawFiles() {}

  /** Every file under a folder that is a JSON object with a CallId and a numeric start time. */
  public static List<JsonNode> validRecords(Path root) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path p : files(root)) {
      String text = Files.readString(p, StandardCharsets.UTF_8);
      JsonNode n;
      try {
        n = JSON.readTree(text);
      } catch (IOException e) {
        continue;
      }
      if (n != null
          && n.isObject()
          && n.hasNonNull("CallId")
          && n.path("StartTimeEpochSeconds").isNumber()) {
        out.add(n);
      }
    }
    return out;
  }

  /** Every regular file under a folder, hidden ones excluded. */
  public static List<Path> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .toList();
    }
  }

  /** The NPA-NXX of a number as the spec defines it, by regular expression. */
  public static String npanxx(String number) {
    if (number == null || !number.matches("\\+?1\\d{10}")) {
      return null;
    }
    String digits = number.startsWith("+") ? number.substring(1) : number;
    return digits.substring(1, 7);
  }
}
