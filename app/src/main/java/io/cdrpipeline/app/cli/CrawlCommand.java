package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.crawl.CrawlResult;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.model.ProcessedSchema;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "crawl",
    mixinStandardHelpOptions = true,
    description = {
      "Find day folders and register them in the catalog with their columns (the Glue crawlers).",
      "By default only folders not seen before are listed; --everything rescans all."
    },
    subcommands = {CrawlCommand.Raw.class, CrawlCommand.Processed.class})
public final class CrawlCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "say what to crawl: 'cdr crawl raw' or 'cdr crawl processed'");
  }

  @Command(
      name = "raw",
      mixinStandardHelpOptions = true,
      description = {
        "Crawl the CDR bucket into table amazon_chime_voice_connector_cdrs",
        "(partitions: voice connector, year, month, day)."
      })
  static final class Raw implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--everything", description = "Rescan every folder, not only new ones.")
    boolean everything;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      Crawler crawler = ctx.crawler(ctx.err::println);
      print(
          ctx.out,
          crawler.crawlRaw(ctx.cdrStore(), ProcessedSchema.SOURCE_CDR, everything),
          ctx.cdrStore().location().display());
      if (ctx.additionalStore() != null) {
        print(
            ctx.out,
            crawler.crawlRaw(ctx.additionalStore(), ProcessedSchema.SOURCE_ADDITIONAL, everything),
            ctx.additionalStore().location().display());
      }
      return 0;
    }
  }

  @Command(
      name = "processed",
      mixinStandardHelpOptions = true,
      description =
          "Crawl the processed bucket into table processed_cdrs (partitions: year, month, day).")
  static final class Processed implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--everything", description = "Rescan every folder, not only new ones.")
    boolean everything;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      print(
          ctx.out,
          ctx.crawler(ctx.err::println).crawlProcessed(ctx.processedTable().iceberg(), everything),
          ctx.processedStore().location().display());
      return 0;
    }
  }

  static void print(PrintStream out, CrawlResult r, String where) {
    out.printf(
        "crawled %s in %s (%s): %d new partitions, %d refreshed, %d objects, %s, %d folder listings, %.1f s%n",
        r.table(),
        where,
        r.everything() ? "everything" : "new folders only",
        r.newPartitions(),
        r.refreshedPartitions(),
        r.objects(),
        Commands.bytes(r.bytes()),
        r.listings(),
        r.elapsed().toMillis() / 1000.0);
    for (SchemaChange c : r.schemaChanges()) {
      out.println("  schema change: " + c);
    }
  }
}
