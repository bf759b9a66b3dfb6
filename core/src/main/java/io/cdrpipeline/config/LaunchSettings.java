package io.cdrpipeline.config;

/**
 * What {@code cdr launch} does before it starts the service: with {@code fullEtl}, the full
 * workflow (crawl everything, ETL every day) runs first, once, until it has succeeded.
 */
public record LaunchSettings(boolean fullEtl) {
  /** Without a {@code launch:} block: no full run at launch. */
  public static LaunchSettings defaults() {
    return new LaunchSettings(false);
  }
}
