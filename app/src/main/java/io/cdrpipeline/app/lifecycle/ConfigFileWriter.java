package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.store.CreateOnce;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The config file {@code cdr configure} writes: YAML with a header, owner-only when it holds
 * secrets.
 */
final class ConfigFileWriter {
  private final AppContext ctx;
  private final Path file;
  private final Path base;

  ConfigFileWriter(AppContext ctx, Path file) {
    this.ctx = Objects.requireNonNull(ctx, "ctx is null");
    this.file = Objects.requireNonNull(file, "file is null");
    this.base = file.getParent();
  }

  private static final YAMLMapper YAML =
      new YAMLMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  /** Keys whose values are never shown. */
  private static final Set<String> SECRETS = Set.of("password", "secret", "token");

  /**
   * Writes the file (checked by loading it first, never replacing one that appeared meanwhile) and
   * shows it with its secrets hidden, then the warnings and what to run next.
   */
  int write(ObjectNode tree, String generatedToken, List<String> warnings) throws IOException {
    String header =
        "# CDR Pipeline configuration, written by 'cdr configure' on "
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + ".\n"
            + "# Every key is explained in docs/configuration.md; run 'cdr configure' again to change it.\n";
    String text = header + YAML.writeValueAsString(tree);
    boolean secrets = hasSecret(tree);
    Files.createDirectories(base);
    Path tmp =
        Files.createTempFile(
            base, "." + file.getFileName(), ".tmp"); // owner-only until it is in place
    try {
      Files.writeString(tmp, text);
      try {
        ConfigLoader.load(tmp); // a file that is written always loads
      } catch (ConfigException e) {
        throw new UserException(
            "the configuration would not load, nothing was written: "
                + e.getMessage().replace(tmp.toString(), file.toString()));
      }
      if (!secrets) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
          // the platform's default
        }
      }
      if (Files.exists(file)) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        try {
          CreateOnce.link(tmp, file); // never replaced unasked
        } catch (FileAlreadyExistsException e) {
          throw new UserException(
              file + " was created by someone else meanwhile: nothing was written");
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    ctx.out.println(
        "wrote "
            + file
            + (secrets ? " (readable by you only: it holds secrets, shown as ***)" : "")
            + ":");
    ctx.out.println();
    ctx.out.print(header + YAML.writeValueAsString(masked(tree)));
    ctx.out.println();
    if (generatedToken != null) {
      ctx.out.println(
          "server.token (made now; callers send it as 'Authorization: Bearer <token>'): "
              + generatedToken);
    }
    for (String w : warnings) {
      ctx.out.println("warning: " + w);
    }
    boolean found =
        ctx.workingDir()
            .resolve(ConfigLoader.DEFAULT_FILE)
            .toAbsolutePath()
            .normalize()
            .equals(file);
    ctx.out.println(
        "next: cdr "
            + (found ? "" : "--config " + file + " ")
            + "launch   (or 'cdr "
            + (found ? "" : "--config " + file + " ")
            + "service-unit' for a systemd unit that runs it at boot)");
    ctx.out.flush();
    return 0;
  }

  private static boolean hasSecret(JsonNode n) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if ((SECRETS.contains(e.getKey()) && !e.getValue().asText().isEmpty())
            || hasSecret(e.getValue())
            || (e.getKey().equals("catalogUrl")
                && e.getValue().asText().toLowerCase(Locale.ROOT).contains("password="))) {
          return true;
        }
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        if (hasSecret(c)) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode masked(JsonNode n) {
    JsonNode copy = n.deepCopy();
    mask(copy);
    return copy;
  }

  private static void mask(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        if (SECRETS.contains(k) && o.get(k).isValueNode()) {
          o.put(k, "***");
        } else if (k.equals("catalogUrl")) {
          o.put(k, Database.redact(o.get(k).asText()));
        } else {
          mask(o.get(k));
        }
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(ConfigFileWriter::mask);
    }
  }
}
