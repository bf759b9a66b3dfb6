package io.cdrpipeline.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;

/**
 * One run of the command line, in this JVM or in a child JVM, in a folder: its exit code and what
 * it printed.
 */
record CliRun(int code, String out, String err) {
  static CliRun in(Path dir, Map<String, String> env, String... args) {
    return in(dir, env, null, args);
  }

  /**
   * In this JVM, with its questions asked on {@code terminal} (null: the process's terminal, if
   * any).
   */
  static CliRun in(Path dir, Map<String, String> env, Terminal terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        CdrCommand.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            dir,
            terminal);
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * The command line as its own process (as the launcher starts it), with JVM options such as a
   * failpoint: everything the process prints is here, its libraries' log lines included.
   */
  static CliRun child(Path dir, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "child-", ".out");
    Path err = Files.createTempFile(dir, "child-", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) { // only so that a hung child cannot hang the build
      p.destroyForcibly().waitFor();
    }
    try {
      return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
