package io.cdrpipeline.testing;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Apache Iceberg's REST catalog server ({@code org.apache.iceberg.rest.RESTCatalogServer} of the
 * {@code iceberg-open-api} test fixtures, as in Iceberg's own REST fixture image) in this JVM, on a
 * loopback port, with its JdbcCatalog in a SQLite file and the warehouse in a local folder written
 * through the product's {@code StoreFileIO} (made by class name, {@code io-impl}).
 *
 * <p>It runs in a class loader of its own: it needs Jetty 12 and Hadoop's {@code Configuration},
 * which Maven copies to {@code target/rest-catalog-server}, while S3Proxy needs Jetty 11 on the
 * test class path. The loader takes the test class path without Jetty 11 and the servlet 5 API,
 * plus that folder; nothing passes between the two but HTTP.
 */
public final class RestCatalogServer implements AutoCloseable {
  private final URLClassLoader loader;
  private final Object server;
  private final URI uri;

  /**
   * Starts a server whose warehouse is {@code warehouse} and whose catalog database is {@code
   * catalogDb}.
   */
  public RestCatalogServer(Path warehouse, Path catalogDb) throws Exception {
    loader =
        new URLClassLoader(
            "rest-catalog-server", classPath(), ClassLoader.getPlatformClassLoader());
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      // DriverManager finds drivers by service loading once per JVM: this loader's must register
      // itself
      Class.forName("org.sqlite.JDBC", true, loader);
      Class<?> c = loader.loadClass("org.apache.iceberg.rest.RESTCatalogServer");
      Constructor<?> make =
          c.getDeclaredConstructor(Map.class); // package-private: a config of our own
      make.setAccessible(true);
      Map<String, String> config = new HashMap<>();
      config.put("rest.port", "0");
      config.put("uri", "jdbc:sqlite:" + catalogDb.toAbsolutePath());
      config.put("jdbc.schema-version", "V1");
      config.put("warehouse", "file:" + warehouse.toAbsolutePath().normalize());
      config.put("io-impl", "io.cdrpipeline.table.StoreFileIO");
      server = make.newInstance(config);
      c.getMethod("start", boolean.class).invoke(server, false);
      Field http = c.getDeclaredField("httpServer");
      http.setAccessible(true);
      Object jetty = http.get(server);
      Object connector = ((Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty))[0];
      // it listens on every interface: move its one connector to loopback
      connector.getClass().getMethod("stop").invoke(connector);
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
      connector.getClass().getMethod("setPort", int.class).invoke(connector, 0);
      connector.getClass().getMethod("start").invoke(connector);
      int port = (int) connector.getClass().getMethod("getLocalPort").invoke(connector);
      uri = URI.create("http://127.0.0.1:" + port);
    } catch (Exception | Error e) {
      loader.close();
      throw e;
    } finally {
      t.setContextClassLoader(before);
    }
  }

  private static URL[] classPath() throws Exception {
    Path testClasses =
        Path.of(
            RestCatalogServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jars = testClasses.getParent().resolve("rest-catalog-server");
    if (!Files.isDirectory(jars)) {
      throw new IllegalStateException(
          jars + " is missing: run the tests through Maven (generate-test-resources copies it)");
    }
    List<URL> urls = new ArrayList<>();
    try (Stream<Path> s = Files.list(jars)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        urls.add(p.toUri().toURL());
      }
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String e = entry.replace('\\', '/');
      if (e.isEmpty()
          || e.contains("/org/eclipse/jetty/")
          || e.contains("jetty-jakarta-servlet-api")) {
        continue;
      }
      urls.add(Path.of(entry).toUri().toURL());
    }
    return urls.toArray(URL[]::new);
  }

  /** The catalog's base URI, the {@code uri} property of a client. */
  public URI uri() {
    return uri;
  }

  @Override
  public void close() throws Exception {
    try {
      server.getClass().getMethod("stop").invoke(server);
    } finally {
      loader.close();
    }
  }
}
