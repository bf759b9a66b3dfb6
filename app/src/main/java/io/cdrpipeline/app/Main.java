package io.cdrpipeline.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** The {@code cdr} command's entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath());
    System.out.flush();
    System.exit(code);
  }

  /** Runs the CLI in this process and returns its exit code; used by tests too. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, Map<String, String> env, Path workingDir) {
    return CdrCommand.execute(args, out, err, env, workingDir);
  }
}
