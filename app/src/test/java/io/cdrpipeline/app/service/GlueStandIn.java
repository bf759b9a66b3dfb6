package io.cdrpipeline.app.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.testing.S3Server;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for AWS Glue's job API (CreateJob, UpdateJob, GetJob, StartJobRun, GetJobRun,
 * GetJobRuns, BatchStopJobRun). A run of the real job does what Glue 5.0 does with a Scala job: the
 * job's default arguments under the run's, the files of {@code --extra-files} copied to the working
 * folder, the jar of {@code --extra-jars} on the classpath, the script at the job's ScriptLocation
 * as the entry — which this stand-in cannot compile: it checks that the script calls the job's main
 * class, and does what the script does ({@code --cdr-args} split at spaces, each word URL-decoded)
 * — and {@code --conf} as Spark settings. States: STARTING, RUNNING, then SUCCEEDED or FAILED;
 * STOPPING, STOPPED when stopped; a scripted run may answer TIMEOUT too.
 */
public final class GlueStandIn extends ServiceStandIn {
  private static final Set<String> FINAL =
      Set.of("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR", "EXPIRED");

  /** The jobs as created or updated, by name. */
  public final Map<String, ObjectNode> jobs = new HashMap<>();

  private final Map<String, ObjectNode> runArguments = new HashMap<>();

  public GlueStandIn(S3Server s3, Path root) throws IOException {
    super("AWSGlue", s3, root);
  }

  @Override
  String starting() {
    return "STARTING";
  }

  @Override
  String running() {
    return "RUNNING";
  }

  @Override
  String succeeded() {
    return "SUCCEEDED";
  }

  @Override
  String failed() {
    return "FAILED";
  }

  @Override
  String stopping() {
    return "STOPPING";
  }

  @Override
  String stopped() {
    return "STOPPED";
  }

  @Override
  boolean isFinal(String state) {
    return FINAL.contains(state);
  }

  @Override
  synchronized JsonNode answer(String action, JsonNode body) {
    switch (action) {
      case "GetJob":
        {
          ObjectNode job = jobs.get(body.path("JobName").asText());
          if (job == null) {
            throw new Fault("EntityNotFoundException", "Job not found");
          }
          return object().set("Job", job.deepCopy());
        }
      case "CreateJob":
        {
          String name = body.path("Name").asText();
          if (body.path("Role").asText().endsWith("/not-passable")) {
            throw new Fault(
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/cdr is not authorized to perform: iam:PassRole on resource: "
                    + body.path("Role").asText());
          }
          if (jobs.containsKey(name)) {
            throw new Fault("AlreadyExistsException", "Job " + name + " already exists");
          }
          jobs.put(name, (ObjectNode) body.deepCopy());
          return object().put("Name", name);
        }
      case "UpdateJob":
        {
          String name = body.path("JobName").asText();
          if (!jobs.containsKey(name)) {
            throw new Fault("EntityNotFoundException", "Job not found");
          }
          ObjectNode job = (ObjectNode) body.path("JobUpdate").deepCopy();
          job.put("Name", name);
          jobs.put(name, job); // JobUpdate replaces the whole definition, as Glue's does
          return object().put("JobName", name);
        }
      case "StartJobRun":
        {
          String name = body.path("JobName").asText();
          ObjectNode job = jobs.get(name);
          if (job == null) {
            throw new Fault("EntityNotFoundException", "Job " + name + " not found");
          }
          Map<String, String> args = new LinkedHashMap<>();
          job.path("DefaultArguments")
              .fields()
              .forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
          body.path("Arguments")
              .fields()
              .forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
          Run run = start("jr_", command(job, args));
          ObjectNode stored = object();
          body.path("Arguments")
              .fields()
              .forEachRemaining(e -> stored.put(e.getKey(), e.getValue().asText()));
          runArguments.put(run.id, stored);
          return object().put("JobRunId", run.id);
        }
      case "GetJobRun":
        return object()
            .set(
                "JobRun",
                jobRun(run(body.path("RunId").asText(), "EntityNotFoundException"), true));
      case "GetJobRuns":
        {
          ArrayNode list = JSON.createArrayNode();
          List<Run> all = new ArrayList<>(runs());
          java.util.Collections.reverse(all); // newest first
          for (Run r : all) {
            list.add(jobRun(r, false));
          }
          return object().set("JobRuns", list);
        }
      case "BatchStopJobRun":
        {
          ArrayNode ok = JSON.createArrayNode();
          for (JsonNode id : body.path("JobRunIds")) {
            run(id.asText(), "EntityNotFoundException").stop();
            ok.add(
                object()
                    .put("JobName", body.path("JobName").asText())
                    .put("JobRunId", id.asText()));
          }
          ObjectNode out = object();
          out.set("SuccessfulSubmissions", ok);
          out.set("Errors", JSON.createArrayNode());
          return out;
        }
      default:
        throw new Fault("InvalidInputException", "the stand-in does not know " + action);
    }
  }

  private ObjectNode jobRun(Run r, boolean poll) {
    String state = poll ? r.poll() : r.state;
    ObjectNode o = object().put("Id", r.id).put("JobRunState", state).put("Timeout", 2880);
    if (r.error != null && isFinal(state) && !state.equals("SUCCEEDED")) {
      o.put("ErrorMessage", r.error);
    }
    o.set("Arguments", runArguments.getOrDefault(r.id, object()).deepCopy());
    return o;
  }

  /** What Glue would run for this job and arguments, or why the job could not start. */
  private JobCommand command(ObjectNode job, Map<String, String> args) {
    List<String> why = new ArrayList<>();
    if (!"5.0".equals(job.path("GlueVersion").asText())) {
      why.add("GlueVersion " + job.path("GlueVersion").asText());
    }
    if (!"glueetl".equals(job.path("Command").path("Name").asText())) {
      why.add("Command.Name " + job.path("Command").path("Name").asText());
    }
    if (!"scala".equals(args.get("--job-language"))) {
      why.add("--job-language " + args.get("--job-language"));
    }
    String entry = args.get("--class");
    String script = text(job.path("Command").path("ScriptLocation").asText()).orElse("");
    if (entry == null
        || !script.contains("object " + entry + " ")
        || !script.contains(SparkJob.MAIN_CLASS + ".main(args)")
        || !script.contains("URLDecoder.decode(a, \"UTF-8\")")) {
      why.add("no entry " + entry + " calling the job in the script at ScriptLocation");
    }
    String encoded = args.getOrDefault("--cdr-args", "");
    List<String> jobArgs =
        Arrays.stream(encoded.split(" "))
            .filter(a -> !a.isEmpty())
            .map(a -> URLDecoder.decode(a, StandardCharsets.UTF_8))
            .toList();
    Map<String, String> conf = new LinkedHashMap<>();
    if (args.containsKey("--conf")) {
      for (String kv : args.get("--conf").split(" --conf ")) {
        conf.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    List<String> files =
        args.containsKey("--extra-files")
            ? List.of(args.get("--extra-files").split(","))
            : List.of();
    return new JobCommand(
        files,
        args.get("--extra-jars"),
        conf,
        jobArgs,
        why.isEmpty() ? null : String.join("; ", why));
  }
}
