package io.cdrpipeline.app.context;

import io.cdrpipeline.app.spark.SparkEtl;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkPipelineActions;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.query.CachedProcessedFiles;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.ReportLinks;
import io.cdrpipeline.report.S3PresignedLinks;
import io.cdrpipeline.report.SignedServerLinks;
import io.cdrpipeline.store.ObjectCache;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.LocalPipelineActions;
import io.cdrpipeline.workflow.PipelineActions;
import io.cdrpipeline.workflow.WorkflowDefinition;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The composition root: builds every part from the config, once, on first use, and closes them at
 * the end of the command.
 */
public final class AppContext implements AutoCloseable {
  private final Path configFile;
  private final Map<String, String> env;
  private final Path workingDir;
  public final PrintStream out;
  public final PrintStream err;
  private Config config;
  private Database database;
  private Catalog catalog;
  private final List<ObjectStore> opened = new ArrayList<>();
  private ObjectStore cdrStore;
  private ObjectStore additionalStore;
  private ObjectStore processedStore;
  private ObjectStore reportsStore;

  /** A terminal given to the command (tests), else the process's own when it has one. */
  private final org.jline.terminal.Terminal terminal;

  /**
   * Where the service's lines go (cdr launch: structured lines); null: printed with a time stamp.
   */
  public Consumer<String> serviceLog;

  public AppContext(
      Path configFile, Map<String, String> env, Path workingDir, PrintStream out, PrintStream err) {
    this(configFile, env, workingDir, out, err, null);
  }

  public AppContext(
      Path configFile,
      Map<String, String> env,
      Path workingDir,
      PrintStream out,
      PrintStream err,
      org.jline.terminal.Terminal terminal) {
    this.configFile = configFile;
    this.env = env;
    this.workingDir = workingDir;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /**
   * The config file the command reads (or {@code cdr configure} writes): {@code --config}, else
   * {@code CDR_CONFIG}, else {@code ./cdr.yaml} if there is one; empty for the defaults.
   */
  public Optional<Path> configPath() {
    String fromEnv = env.get("CDR_CONFIG");
    return ConfigLoader.file(
            configFile, fromEnv == null || fromEnv.isBlank() ? null : fromEnv, workingDir)
        .map(p -> p.toAbsolutePath().normalize());
  }

  public Map<String, String> env() {
    return env;
  }

  /**
   * Questions to the person at the terminal; empty when the command has no terminal (a script, a
   * pipe, a service).
   */
  public Optional<Prompts> prompts() throws IOException {
    if (terminal != null) {
      return Optional.of(Prompts.on(terminal));
    }
    if (System.console() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Prompts.system());
    } catch (IOException | RuntimeException e) {
      // a terminal JLine cannot drive is no terminal to ask on: the command says so in one line
      org.slf4j.LoggerFactory.getLogger(AppContext.class)
          .info("no usable terminal: {}", e.toString());
      return Optional.empty();
    }
  }

  public Config config() {
    if (config == null) {
      String fromEnv = env.get("CDR_CONFIG");
      config =
          ConfigLoader.resolve(
              configFile == null ? null : workingDir.resolve(configFile),
              fromEnv == null || fromEnv.isBlank() ? null : workingDir.resolve(fromEnv).toString(),
              workingDir);
    }
    return config;
  }

  public Path workingDir() {
    return workingDir;
  }

  public Path tempDir() throws IOException {
    Path tmp = config().stateDir().resolve("tmp");
    Files.createDirectories(tmp);
    return tmp;
  }

  public Database database() {
    if (database == null) {
      database = Database.open(config().catalogUrl());
    }
    return database;
  }

  public Catalog catalog() {
    if (catalog == null) {
      catalog = new Catalog(database());
    }
    return catalog;
  }

  public ObjectStore cdrStore() {
    if (cdrStore == null) {
      cdrStore = open(ObjectStores.open(config().cdrBucket(), config().s3()));
    }
    return cdrStore;
  }

  public ObjectStore additionalStore() {
    if (additionalStore == null && config().additionalCdrBucket().isPresent()) {
      additionalStore =
          open(ObjectStores.open(config().additionalCdrBucket().get(), config().s3()));
    }
    return additionalStore;
  }

  public ObjectStore processedStore() {
    if (processedStore == null) {
      processedStore = open(ObjectStores.open(config().processedBucket(), config().s3()));
    }
    return processedStore;
  }

  public ObjectStore reportsStore() {
    if (reportsStore == null) {
      reportsStore = open(ObjectStores.open(config().reportsBucket(), config().s3()));
    }
    return reportsStore;
  }

  private ObjectStore open(ObjectStore s) {
    opened.add(s);
    return s;
  }

  /** The buckets the ETL reads: the CDR bucket, then the additional one if configured. */
  public List<RawSource> rawSources() {
    List<RawSource> sources = new ArrayList<>();
    sources.add(new RawSource(ProcessedSchema.SOURCE_CDR, cdrStore(), ""));
    if (additionalStore() != null) {
      sources.add(
          new RawSource(
              ProcessedSchema.SOURCE_ADDITIONAL,
              additionalStore(),
              additionalStore().location().display() + "/"));
    }
    return sources;
  }

  public Crawler crawler(Consumer<String> progress) throws IOException {
    return new Crawler(
        catalog(), config().crawlSampleFiles(), config().dailyWorkers(), tempDir(), progress);
  }

  public EtlJob etl(EtlListener listener) throws IOException {
    return EtlJob.embedded(
        catalog(),
        rawSources(),
        processedTable(),
        config().etlMemoryLimit(),
        tempDir(),
        listener,
        config().etl().maxShrink());
  }

  private ProcessedTable processedTable;

  private ObjectStore warehouseStore;

  /**
   * Where the processed table's files live: {@code table.warehouse}, by default the processed
   * bucket.
   */
  public ObjectStore warehouseStore() {
    if (warehouseStore == null) {
      warehouseStore =
          config().tableWarehouse().equals(config().processedBucket())
              ? processedStore()
              : open(ObjectStores.open(config().tableWarehouse(), config().s3()));
    }
    return warehouseStore;
  }

  /** How long replaced snapshots of the processed table are kept. */
  public Duration snapshotRetention() {
    return config().table().snapshotRetention();
  }

  /** The processed table (Iceberg), opened once per command; created on first use. */
  public synchronized ProcessedTable processedTable() {
    if (processedTable == null) {
      catalog(); // the catalog database exists and is migrated before Iceberg's tables join it
      processedTable =
          new ProcessedTable(
              IcebergTable.open(
                  config().table(), config().catalogUrl(), config().database(), warehouseStore()),
              catalog());
    }
    return processedTable;
  }

  private ExecutionStore executions;
  private Topic topic;
  private LinkSigner signer;
  private Executor executor;
  private EtlListener workflowEtlListener = EtlListener.NONE;

  public ExecutionStore executions() {
    if (executions == null) {
      executions = new ExecutionStore(catalog());
    }
    return executions;
  }

  Topic topic() {
    if (topic == null) {
      topic = Topic.of(config().notifications(), RetryPolicy.defaults());
    }
    return topic;
  }

  public LinkSigner signer() throws IOException {
    if (signer == null) {
      signer = LinkSigner.fromStateDir(config().stateDir());
    }
    return signer;
  }

  public ReportLinks reportLinks() throws IOException {
    if (reportsStore() instanceof S3Store s3) {
      return new S3PresignedLinks(s3);
    }
    return new SignedServerLinks(config().server().baseUrl(), signer(), Clock.systemUTC());
  }

  /** Shows ETL progress of workflow steps run in this process. */
  public void showWorkflowProgress(EtlListener listener) {
    this.workflowEtlListener = listener;
  }

  private io.cdrpipeline.alarm.Alarms alarms;

  /**
   * The configured alarms over the catalog's firings, each evaluation on a query engine of its own:
   * {@code alarms().evaluate(days)} after a batch of {@code cdr watch}, as the daily workflow does
   * after its ETL.
   */
  public synchronized io.cdrpipeline.alarm.Alarms alarms() {
    if (alarms == null) {
      alarms =
          new io.cdrpipeline.alarm.Alarms(
              config().alarms(),
              new io.cdrpipeline.alarm.AlarmStore(database()),
              this::queryEngine,
              io.cdrpipeline.alarm.Alarms.Topics.standard(),
              Clock.systemUTC());
    }
    return alarms;
  }

  PipelineActions pipelineActions() throws IOException {
    PipelineActions local =
        new LocalPipelineActions(
            new LocalPipelineActions.Parts(
                () -> crawler(s -> {}),
                rawSources(),
                this::processedTable,
                () -> etl(workflowEtlListener),
                this::queryEngine,
                reportsStore(),
                reportLinks(),
                config().dailyWorkers(),
                config().fullWorkers(),
                snapshotRetention()),
            config().alarms().isEmpty()
                ? null
                : day -> {
                  var o = io.cdrpipeline.alarm.Alarms.summary(alarms().evaluate(List.of(day)));
                  o.put("date", day.toString());
                  return o;
                });
    return config().engine() == io.cdrpipeline.config.Config.Engine.SPARK
        ? new SparkPipelineActions(
            local,
            () -> etl(EtlListener.NONE),
            sparkEtl(),
            config().dailyWorkers(),
            config().fullWorkers())
        : local;
  }

  /** The ETL as an application on Apache Spark ({@code engine: spark}). */
  public SparkEtl sparkEtl() {
    // the job reads the same config file: an engine: spark config always comes from one
    Path file =
        config()
            .source()
            .orElseThrow(() -> new IllegalStateException("engine spark without a config file"));
    return new SparkEtl(
        new SparkJob(config().spark(), file, config().stateDir(), SparkJob.buildRoot()),
        catalog(),
        config().s3());
  }

  public Executor executor() throws IOException {
    if (executor == null) {
      Map<String, WorkflowDefinition> defs =
          Workflows.definitions(
              pipelineActions(),
              topic(),
              config().timeouts(),
              config().linkExpiry(),
              Clock.systemUTC());
      executor =
          new Executor(
              executions(), defs, topic(), Clock.systemUTC(), Executor.Settings.defaults());
    }
    return executor;
  }

  public QueryEngine queryEngine() throws IOException {
    return queryEngine(config().query());
  }

  /** An engine with other limits (the HTTP API's shorter timeout). */
  public QueryEngine queryEngine(io.cdrpipeline.query.QueryLimits limits) throws IOException {
    ObjectStore processed = warehouseStore();
    QueryEngine.ProcessedFiles files;
    if (processed.localPath("").isPresent()) {
      // the table's folder, as the table is made there; the table itself opens when a query reads
      // it
      files =
          QueryEngine.ProcessedFiles.local(
              processed.localPath(io.cdrpipeline.model.ProcessedSchema.TABLE).orElseThrow());
    } else {
      files =
          new CachedProcessedFiles(
              processed,
              new ObjectCache(config().stateDir().resolve("cache"), config().queryCacheBytes()));
    }
    Supplier<IcebergTable> table = () -> processedTable().iceberg();
    return QueryEngine.open(
        catalog(), config().database(), table, files, cdrStore(), limits, tempDir());
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.close();
    }
    if (topic != null) {
      topic.close();
    }
    if (processedTable != null) {
      processedTable.close();
    }
    for (ObjectStore s : opened) {
      s.close();
    }
  }
}
