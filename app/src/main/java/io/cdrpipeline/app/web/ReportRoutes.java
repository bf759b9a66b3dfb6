package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.store.ObjectInfo;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code /api/reports}: the monthly reports, by month, with expiring links. */
final class ReportRoutes {
  private final ApiRoutes.Parts p;

  ReportRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  void list(Context ctx) throws IOException {
    Map<String, List<ObjectInfo>> months = new TreeMap<>(Comparator.reverseOrder());
    for (ObjectInfo info : p.reports().listAll(MonthlyReport.PREFIX)) {
      String rest = info.key().substring(MonthlyReport.PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash == 7
          && rest.substring(0, 7).matches("\\d{4}-\\d{2}")
          && rest.indexOf('/', slash + 1) < 0) {
        months.computeIfAbsent(rest.substring(0, 7), k -> new ArrayList<>()).add(info);
      }
    }
    Instant expires = p.clock().instant().plus(p.linkExpiry());
    ArrayNode list = ApiRoutes.JSON.createArrayNode();
    for (Map.Entry<String, List<ObjectInfo>> m : months.entrySet()) {
      ObjectNode month = list.addObject();
      month.put("month", m.getKey());
      ArrayNode files = month.putArray("files");
      m.getValue().sort(Comparator.comparing(ObjectInfo::key));
      for (ObjectInfo f : m.getValue()) {
        ObjectNode j = files.addObject();
        j.put("name", f.key().substring(f.key().lastIndexOf('/') + 1));
        j.put("key", f.key());
        j.put("bytes", f.size());
        j.put("link", p.links().linkFor(f.key(), p.linkExpiry()));
        j.put("expiresAt", expires.toString());
      }
    }
    ObjectNode out = ApiRoutes.JSON.createObjectNode();
    out.set("reports", list);
    out.put("linkExpirySeconds", p.linkExpiry().getSeconds());
    ApiRequests.json(ctx, 200, out);
  }
}
