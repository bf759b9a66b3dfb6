package io.cdrpipeline.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The {@code cdr} command's entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    useSqliteLibraryBesideTheJars();
    int code = run(args, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath());
    System.out.flush();
    System.exit(code);
  }

  /**
   * SQLite's native library where the build put it, beside the jars ({@code lib/sqlite-native/}):
   * loaded in place. From its jar the driver would copy it out, compare checksums and start a
   * {@code uname} process to tell the system, in every process (a fifth of a short command's
   * start). Elsewhere (another system, no such folder) the driver does as it always does, and it
   * falls back to that by itself if this library does not load.
   */
  static void useSqliteLibraryBesideTheJars() {
    if (System.getProperty("org.sqlite.lib.path") != null
        || !System.getProperty("os.name", "").startsWith("Linux")) {
      return;
    }
    String arch =
        switch (System.getProperty("os.arch", "")) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> null;
        };
    if (arch == null) {
      return;
    }
    try {
      Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path dir = jar.resolveSibling("lib").resolve("sqlite-native/org/sqlite/native/Linux/" + arch);
      if (Files.isRegularFile(dir.resolve("libsqlitejdbc.so"))) {
        System.setProperty("org.sqlite.lib.path", dir.toString());
        System.setProperty("org.sqlite.lib.name", "libsqlitejdbc.so");
      }
    } catch (Exception e) {
      // not run from a jar: the driver's own way
    }
  }

  /** Runs the CLI in this process and returns its exit code; used by tests too. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, Map<String, String> env, Path workingDir) {
    return CdrCommand.execute(args, out, err, env, workingDir);
  }
}
