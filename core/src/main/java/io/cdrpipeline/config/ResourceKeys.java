package io.cdrpipeline.config;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The top-level keys of how much the product uses and how it runs: {@code dailyWorkers}, {@code
 * fullWorkers}, {@code etlMemoryLimit} (against the machine's memory), {@code crawlSampleFiles},
 * {@code backfillDays} and {@code engine}.
 */
final class ResourceKeys {
  private ResourceKeys() {}

  static int workers(String key, Integer value, int dflt, Path file) {
    if (value == null) {
      return dflt;
    }
    if (value < 1 || value > 1024) {
      throw new ConfigException(
          "bad value for '" + key + "' in " + file + ": " + value + " (expected 1 to 1024)");
    }
    return value;
  }

  /** {@code etlMemoryLimit}: DuckDB's memory, as the text DuckDB is given. */
  static String etlMemoryLimit(String raw, String dflt, long machineMemory, Path file) {
    String memory = raw == null ? dflt : raw.trim();
    // the text goes to DuckDB as it is: Sizes reads exactly the units DuckDB reads, with the same
    // meaning
    long etlMemory = Sizes.parse("etlMemoryLimit", memory);
    if (etlMemory < ConfigLoader.MIN_ETL_MEMORY) {
      throw new ConfigException(
          "bad value for 'etlMemoryLimit' in "
              + file
              + ": '"
              + memory
              + "' is too little for DuckDB (at least 64MB)");
    }
    atMostMachineMemory("etlMemoryLimit", memory, etlMemory, machineMemory);
    return memory;
  }

  /** {@code crawlSampleFiles}: 0 for all files, or how many. */
  static int crawlSampleFiles(Integer raw, int dflt, Path file) {
    int sample = raw == null ? dflt : raw;
    if (sample < 0) {
      throw new ConfigException(
          "bad value for 'crawlSampleFiles' in "
              + file
              + ": "
              + sample
              + " (expected 0 for all files, or a positive count)");
    }
    return sample;
  }

  /** {@code backfillDays}: how many days before today backfill looks at. */
  static int backfillDays(Integer raw, Path file) {
    int backfillDays = raw == null ? Config.DEFAULT_BACKFILL_DAYS : raw;
    if (backfillDays < 1 || backfillDays > Config.MAX_BACKFILL_DAYS) {
      throw new ConfigException(
          "bad value for 'backfillDays' in "
              + file
              + ": "
              + backfillDays
              + " (expected 1 to "
              + Config.MAX_BACKFILL_DAYS
              + " days; 'backfill: false' turns backfill off)");
    }
    return backfillDays;
  }

  /** {@code engine}: embedded (the default) or spark. */
  static Config.Engine engine(String raw, Path file) {
    if (raw == null) {
      return Config.Engine.EMBEDDED;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "embedded" -> Config.Engine.EMBEDDED;
      case "spark" -> Config.Engine.SPARK;
      default ->
          throw new ConfigException(
              "bad value for 'engine' in " + file + ": '" + raw + "' (expected embedded or spark)");
    };
  }

  /**
   * Refuses more memory for DuckDB than the machine has (a container's limit inside one): DuckDB
   * spills to disk only beyond its limit, so with a limit above the machine's memory the system
   * kills the process before it would spill.
   */
  static void atMostMachineMemory(String key, String text, long bytes, long machine) {
    if (bytes > machine) {
      throw new ConfigException(
          "bad value for '"
              + key
              + "': '"
              + text.trim()
              + "' is more than this machine's memory ("
              + Sizes.text(machine)
              + "): DuckDB would be stopped by the system before it spilled to disk; "
              + "give at most "
              + Sizes.text(machine)
              + ", less what the Java heap and other processes need");
    }
  }

  /**
   * The memory of this machine, or of the container it runs in; unbounded when Java cannot tell.
   */
  static long machineMemory() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun
        && sun.getTotalMemorySize() > 0) {
      return sun.getTotalMemorySize();
    }
    return Long.MAX_VALUE;
  }
}
