package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.model.ProcessedSchema;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code /api/tables}: the catalog's tables, their columns, partitions, schema changes, days and
 * quarantine.
 */
final class TableRoutes {
  private final ApiRoutes.Parts p;

  TableRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  private static final int QUARANTINE_SHOWN = 1000;
  private static final List<String> TABLES =
      List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE);

  void list(Context ctx) throws IOException {
    Catalog c = p.catalog();
    ArrayNode list = ApiRoutes.JSON.createArrayNode();
    for (String name : TABLES) {
      ObjectNode o = list.addObject();
      o.put("name", name);
      Optional<CatalogTable> t = c.table(name);
      o.put("crawled", t.isPresent());
      o.put("format", t.map(CatalogTable::format).orElse(null));
      o.put("location", t.map(CatalogTable::location).orElse(null));
      o.put("columns", c.columns(name).size());
      o.put("partitions", c.partitions(name).size());
    }
    List<ProcessedDay> days = c.processedDays();
    ObjectNode out = ApiRoutes.JSON.createObjectNode();
    out.set("tables", list);
    out.put("processedDays", days.size());
    out.put("rows", days.stream().mapToLong(ProcessedDay::rowsWritten).sum());
    out.put("rejectedFiles", days.stream().mapToLong(ProcessedDay::rejected).sum());
    ApiRequests.json(ctx, 200, out);
  }

  void get(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    if (!TABLES.contains(name)) {
      throw new ApiRoutes.ApiError(
          404, "no table '" + name + "' (tables: " + String.join(", ", TABLES) + ")");
    }
    Catalog c = p.catalog();
    Optional<CatalogTable> t = c.table(name);
    ObjectNode o = ApiRoutes.JSON.createObjectNode();
    o.put("name", name);
    o.put("crawled", t.isPresent());
    o.put("format", t.map(CatalogTable::format).orElse(null));
    o.put("location", t.map(CatalogTable::location).orElse(null));
    ArrayNode keys = o.putArray("partitionKeys");
    t.ifPresent(x -> x.partitionKeys().forEach(keys::add));
    ArrayNode cols = o.putArray("columns");
    for (CatalogColumn col : c.columns(name)) {
      ObjectNode j = cols.addObject();
      j.put("name", col.name());
      j.put("type", col.type().name());
      j.put("sourceName", col.sourceName());
      j.put("position", col.position());
    }
    ArrayNode parts = o.putArray("partitions");
    for (Partition part : c.partitions(name)) {
      ObjectNode j = parts.addObject();
      j.put("source", part.source());
      j.put("path", part.path());
      j.put("voiceConnectorId", part.voiceConnectorId());
      j.put("date", part.date().toString());
      j.put("objects", part.objectCount());
      j.put("bytes", part.bytes());
      j.put("crawledAt", part.crawledAt().toString());
    }
    ArrayNode changes = o.putArray("schemaChanges");
    for (SchemaChange s : c.schemaChanges(name)) {
      ObjectNode j = changes.addObject();
      j.put("at", s.at().toString());
      j.put("column", s.column());
      j.put("kind", s.kind().name());
      j.put("oldType", s.oldType() == null ? null : s.oldType().name());
      j.put("newType", s.newType().name());
      j.put("text", s.toString());
    }
    if (name.equals(ProcessedSchema.TABLE)) {
      ArrayNode days = o.putArray("days");
      for (ProcessedDay d : c.processedDays()) {
        ObjectNode j = days.addObject();
        j.put("day", d.day().toString());
        j.put("rows", d.rowsWritten());
        j.put("rejected", d.rejected());
        j.put("sourceObjects", d.sourceObjects());
        j.put("files", d.files().size());
        j.put("processedAt", d.processedAt().toString());
      }
    }
    // the files of the raw table that the ETL rejected, the newest days first
    List<QuarantinedFile> q = c.quarantine(Optional.empty());
    o.put("quarantinedTotal", q.size());
    ArrayNode quarantined = o.putArray("quarantined");
    for (int i = q.size() - 1; i >= 0 && quarantined.size() < QUARANTINE_SHOWN; i--) {
      QuarantinedFile f = q.get(i);
      ObjectNode j = quarantined.addObject();
      j.put("day", f.day().toString());
      j.put("sourceKey", f.sourceKey());
      j.put("reason", f.reason());
      j.put("detectedAt", f.detectedAt().toString());
    }
    ApiRequests.json(ctx, 200, o);
  }
}
