package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "service-unit",
    mixinStandardHelpOptions = true,
    description = {
      "Print a systemd unit that runs 'cdr launch' as a service, started at boot and restarted after a failure.",
      "It runs this cdr (the same Java and jar) with this config file, as this user, in this folder. Install:",
      "  cdr service-unit > /etc/systemd/system/cdr.service",
      "  systemctl daemon-reload && systemctl enable --now cdr",
      "  journalctl -u cdr -f        # the structured lines of the service",
      "'systemctl stop cdr' sends SIGTERM: running executions are handed over and resumed at the next start."
    })
public final class ServiceUnitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--user",
      paramLabel = "USER",
      description = "The user the service runs as (default: the current user).")
  String user;

  @Option(
      names = "--java-options",
      paramLabel = "OPTIONS",
      description = "JVM options of the service, e.g. '-Xmx2g'.")
  String javaOptions;

  @Override
  public Integer call() {
    AppContext ctx = Commands.context(spec);
    Optional<Path> config = ctx.configPath();
    if (config.isPresent()) {
      ctx.config(); // a config that does not load would make a unit that fails at every start
    }
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> exec = new ArrayList<>();
    exec.add(java);
    if (javaOptions != null && !javaOptions.isBlank()) {
      exec.addAll(List.of(javaOptions.strip().split("\\s+")));
    }
    List<String> classPath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        classPath.add(ctx.workingDir().resolve(entry).toAbsolutePath().normalize().toString());
      }
    }
    if (classPath.size() == 1 && isCdrJar(Path.of(classPath.get(0)))) {
      exec.addAll(List.of("-jar", classPath.get(0))); // its manifest names the libraries beside it
    } else {
      exec.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), Commands.MAIN_CLASS));
    }
    config.ifPresent(c -> exec.addAll(List.of("--config", c.toString())));
    exec.add("launch");
    List<String> quoted = new ArrayList<>();
    exec.forEach(a -> quoted.add(quote(a)));
    String u = user != null ? user : System.getProperty("user.name");
    ctx.out.print(
        String.join(
            "\n",
            "# CDR Pipeline: 'cdr launch' as a systemd service. Install with",
            "#   cdr service-unit > /etc/systemd/system/cdr.service",
            "#   systemctl daemon-reload && systemctl enable --now cdr",
            "[Unit]",
            "Description=CDR Pipeline (cdr launch): schedules, executions, report links",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=simple",
            "User=" + u,
            "WorkingDirectory=" + quote(ctx.workingDir().toAbsolutePath().normalize().toString()),
            "ExecStart=" + String.join(" ", quoted),
            "Restart=on-failure",
            "RestartSec=10s",
            "# SIGTERM hands running executions over; the JVM then ends with 143, a clean stop",
            "KillSignal=SIGTERM",
            "SuccessExitStatus=143",
            "TimeoutStopSec=60s",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            ""));
    ctx.out.flush();
    return 0;
  }

  /** True for the jar the build makes: it starts cdr by itself and names its libraries. */
  private static boolean isCdrJar(Path jar) {
    if (!jar.toString().endsWith(".jar")) {
      return false;
    }
    try (JarFile f = new JarFile(jar.toFile())) {
      return f.getManifest() != null
          && Commands.MAIN_CLASS.equals(f.getManifest().getMainAttributes().getValue("Main-Class"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * An argument as systemd reads it: quoted when it has spaces or quotes, '%' doubled (its
   * specifiers).
   */
  public static String quote(String arg) {
    String a = arg.replace("%", "%%");
    if (!a.isEmpty()
        && a.chars()
            .noneMatch(
                c -> c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\' || c == ';')) {
      return a;
    }
    return '"' + a.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
