package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigLoader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr configure} on a real pseudo-terminal (util-linux {@code script}), as a person types:
 * JLine finds the terminal itself, an invalid answer is asked again, a secret is not echoed, Ctrl-C
 * leaves without writing.
 */
class ConfigurePtyTest {
  @TempDir Path dir;

  /** A child on a pseudo-terminal; its screen is read as it comes. */
  static final class Pty implements AutoCloseable {
    final Process process;
    private final OutputStream keys;
    private final StringBuffer screen = new StringBuffer();
    private int seen;

    Pty(Path dir, List<String> command) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  java,
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName()));
      cmd.addAll(command);
      StringBuilder line = new StringBuilder();
      for (String c : cmd) {
        line.append('\'').append(c.replace("'", "'\\''")).append("' ");
      }
      ProcessBuilder pb =
          new ProcessBuilder("script", "-q", "-e", "-c", line.toString(), "/dev/null")
              .directory(dir.toFile())
              .redirectErrorStream(true);
      pb.environment().put("TERM", "xterm");
      process = pb.start();
      keys = process.getOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try (InputStream in = process.getInputStream()) {
                  byte[] b = new byte[4096];
                  for (int n; (n = in.read(b)) > 0; ) {
                    screen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                  }
                } catch (Exception ignored) {
                  // the child is gone
                }
              },
              "pty-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** The screen without terminal control sequences. */
    String text() {
      return screen.toString().replaceAll("\u001B\\[[0-9;?]*[A-Za-z]|\u001B[=>]|\r", "");
    }

    /** Waits for {@code what} to appear after what was waited for before. */
    void await(String what) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < end) {
        String t = text();
        int at = t.indexOf(what, seen);
        if (at >= 0) {
          seen = at + what.length();
          return;
        }
        if (!process.isAlive() && t.indexOf(what, seen) < 0) {
          Thread.sleep(200);
          if (text().indexOf(what, seen) < 0) {
            throw new AssertionError("the child ended before showing '" + what + "':\n" + text());
          }
        }
        Thread.sleep(20);
      }
      throw new AssertionError("no '" + what + "' within 60 s:\n" + text());
    }

    /** Types a line and Enter, as a keyboard does (a carriage return). */
    void type(String s) throws Exception {
      keys.write((s + "\r").getBytes(StandardCharsets.UTF_8));
      keys.flush();
    }

    void press(int key) throws Exception {
      keys.write(key);
      keys.flush();
    }

    int exit() throws Exception {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ended:\n" + text()).isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void aPersonAnswersOnATerminalInvalidAnswersAreAskedAgainAndTheTokenIsNotEchoed()
      throws Exception {
    assertThat(
            Main.run(
                new String[] {
                  "generate", "--bucket", "cdrs", "--date", "2026-11-01", "--calls", "3"
                },
                System.out,
                System.err,
                Map.of(),
                dir))
        .isZero();
    String token = "a-token-nobody-may-see-42";
    try (Pty pty =
        new Pty(
            dir,
            List.of(
                "configure",
                "--cdr-bucket",
                "cdrs",
                "--no-additional-bucket",
                "--full-etl",
                "--processed-bucket",
                "p",
                "--reports-bucket",
                "r",
                "--state-dir",
                "s",
                "--no-notify",
                "--daily-schedule",
                "09:00",
                "--report-schedule",
                "2 12:00",
                "--host",
                "127.0.0.1",
                "--port",
                "8081"))) {
      pty.await("2. Daily ETL workers (1-250) [10]: ");
      pty.type("abc");
      pty.await("'abc' is not a whole number");
      pty.await("2. Daily ETL workers (1-250) [10]: ");
      pty.type("300");
      pty.await("300 is not between 1 and 250");
      pty.type("4");
      pty.await("3. Full ETL workers (1-250) [100]: ");
      pty.type("");
      pty.await("14. The token callers must send");
      pty.type(token);
      pty.await("wrote " + dir.resolve("cdr.yaml"));
      assertThat(pty.exit()).as(pty.text()).isZero();
      assertThat(pty.text()).doesNotContain(token).contains("token: '***'");
    }
    Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(c.dailyWorkers()).isEqualTo(4);
    assertThat(c.fullWorkers()).isEqualTo(100);
    assertThat(c.server().token()).contains(token);
  }

  @Test
  void ctrlCLeavesWithoutWritingAnything() throws Exception {
    try (Pty pty = new Pty(dir, List.of("configure"))) {
      pty.await("1. The CDR bucket");
      pty.press(3); // Ctrl-C
      pty.await("cancelled: nothing was written or changed");
      assertThat(pty.exit()).isEqualTo(130);
    }
    assertThat(Files.exists(dir.resolve("cdr.yaml"))).isFalse();
  }
}
