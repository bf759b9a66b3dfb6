package io.cdrpipeline.config;

/** Where the product's HTTP server listens, and the base of the links it signs. */
public record ServerSettings(String host, int port, String baseUrl) {
  public static ServerSettings defaults() {
    return new ServerSettings("127.0.0.1", 8080, "http://localhost:8080");
  }
}
