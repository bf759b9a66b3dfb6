package io.cdrpipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server standing in for AWS Glue: it speaks Glue's JSON 1.1 protocol (the action in
 * {@code X-Amz-Target: AWSGlue.<Action>}) for the calls an Iceberg GlueCatalog makes to keep one
 * table (GetDatabase, CreateDatabase, GetTable, CreateTable, UpdateTable, DeleteTable), keeps
 * databases and tables in memory, and records every request. UpdateTable checks the table's {@code
 * VersionId} as Glue does (its optimistic lock), and can be told to refuse the next updates as if
 * another writer had just updated the table.
 */
public final class FakeGlue implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: the action, its JSON body and the Authorization header. */
  public record Call(String action, JsonNode body, String authorization) {}

  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, ObjectNode> databases = new HashMap<>();
  private final Map<String, ObjectNode> tables = new HashMap<>();
  private int versions;

  /**
   * UpdateTable calls still to refuse with ConcurrentModificationException, the version moving on
   * each time.
   */
  public final AtomicInteger concurrentUpdates = new AtomicInteger();

  public FakeGlue() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The endpoint to give the client ({@code glue.endpoint}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every request so far, in order. */
  public List<Call> calls() {
    return calls;
  }

  /** The calls of one action, in order. */
  public List<Call> calls(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).toList();
  }

  /** Puts a database and a table as another tool made them (e.g. a Glue crawler's Hive table). */
  public synchronized void put(String database, String name, Map<String, String> parameters) {
    databases.computeIfAbsent(database, d -> JSON.createObjectNode().put("Name", d));
    ObjectNode t = JSON.createObjectNode().put("Name", name).put("TableType", "EXTERNAL_TABLE");
    parameters.forEach(t.putObject("Parameters")::put);
    tables.put(key(database, name), stored(database, t));
  }

  /** The table as Glue keeps it now, or null. */
  public synchronized JsonNode table(String database, String name) {
    ObjectNode t = tables.get(database + "." + name);
    return t == null ? null : t.deepCopy();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      String action = target == null ? "" : target.substring(target.indexOf('.') + 1);
      calls.add(new Call(action, body, exchange.getRequestHeaders().getFirst("Authorization")));
      int status = 200;
      JsonNode answer;
      try {
        answer = answer(action, body);
      } catch (GlueError e) {
        status = 400;
        answer = JSON.createObjectNode().put("__type", e.type).put("Message", e.getMessage());
        exchange.getResponseHeaders().set("x-amzn-ErrorType", e.type);
      }
      byte[] bytes = JSON.writeValueAsBytes(answer);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private synchronized JsonNode answer(String action, JsonNode body) {
    ObjectNode out = JSON.createObjectNode();
    switch (action) {
      case "GetDatabase":
        {
          ObjectNode db = databases.get(body.path("Name").asText());
          if (db == null) {
            throw new GlueError(
                "EntityNotFoundException",
                "Database " + body.path("Name").asText() + " not found.");
          }
          out.set("Database", db.deepCopy());
          return out;
        }
      case "CreateDatabase":
        {
          ObjectNode input = (ObjectNode) body.path("DatabaseInput").deepCopy();
          String name = input.path("Name").asText();
          if (databases.containsKey(name)) {
            throw new GlueError("AlreadyExistsException", "Database already exists.");
          }
          databases.put(name, input);
          return out;
        }
      case "GetTable":
        {
          ObjectNode t =
              tables.get(key(body.path("DatabaseName").asText(), body.path("Name").asText()));
          if (t == null) {
            throw new GlueError(
                "EntityNotFoundException", "Table " + body.path("Name").asText() + " not found.");
          }
          out.set("Table", t.deepCopy());
          return out;
        }
      case "CreateTable":
        {
          String db = body.path("DatabaseName").asText();
          if (!databases.containsKey(db)) {
            throw new GlueError("EntityNotFoundException", "Database " + db + " not found.");
          }
          ObjectNode input = (ObjectNode) body.path("TableInput").deepCopy();
          String key = key(db, input.path("Name").asText());
          if (tables.containsKey(key)) {
            throw new GlueError("AlreadyExistsException", "Table already exists.");
          }
          tables.put(key, stored(db, input));
          return out;
        }
      case "UpdateTable":
        {
          String db = body.path("DatabaseName").asText();
          ObjectNode input = (ObjectNode) body.path("TableInput").deepCopy();
          String key = key(db, input.path("Name").asText());
          ObjectNode current = tables.get(key);
          if (current == null) {
            throw new GlueError(
                "EntityNotFoundException", "Table " + input.path("Name").asText() + " not found.");
          }
          if (concurrentUpdates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            current.put(
                "VersionId", String.valueOf(++versions)); // another writer updated it meanwhile
          }
          if (!body.path("VersionId").asText().equals(current.path("VersionId").asText())) {
            throw new GlueError(
                "ConcurrentModificationException",
                "Update table failed due to concurrent modifications.");
          }
          tables.put(key, stored(db, input));
          return out;
        }
      case "DeleteTable":
        tables.remove(key(body.path("DatabaseName").asText(), body.path("Name").asText()));
        return out;
      default:
        throw new GlueError(
            "UnknownOperationException", "not answered by this stand-in: " + action);
    }
  }

  private ObjectNode stored(String database, ObjectNode input) {
    input.put("DatabaseName", database);
    input.put("VersionId", String.valueOf(++versions));
    return input;
  }

  private static String key(String database, String table) {
    return database + "." + table;
  }

  private static final class GlueError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String type;

    GlueError(String type, String message) {
      super(message);
      this.type = type;
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
