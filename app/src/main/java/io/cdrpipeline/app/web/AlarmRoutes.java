package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.alarm.AlarmFiring;
import io.cdrpipeline.alarm.AlarmStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** {@code /api/alarms}: the firings of the alarms, one firing with its evidence, acknowledge. */
final class AlarmRoutes {
  private final ApiRoutes.Parts p;

  AlarmRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  private AlarmStore store() {
    return p.alarms();
  }

  void list(Context ctx) throws IOException {
    Optional<AlarmFiring.State> state =
        Optional.ofNullable(ApiRequests.blankToNull(ctx.queryParam("state")))
            .map(
                s -> {
                  try {
                    return AlarmFiring.State.valueOf(s.toUpperCase(Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw new ApiRoutes.ApiError(
                        400, "state: unknown state '" + s + "' (FIRING or RESOLVED)");
                  }
                });
    int limit = ApiRequests.intParam(ctx, "limit", 100, 1, 1000);
    ArrayNode list = ApiRoutes.JSON.createArrayNode();
    for (AlarmFiring f : store().list(state, limit)) {
      list.add(json(f));
    }
    ObjectNode out = ApiRoutes.JSON.createObjectNode();
    out.set("alarms", list);
    ApiRequests.json(ctx, 200, out);
  }

  void get(Context ctx) throws IOException {
    ApiRequests.json(ctx, 200, json(firingOr404(ctx.pathParam("id"))));
  }

  void acknowledge(Context ctx) throws IOException {
    AlarmFiring f = firingOr404(ctx.pathParam("id"));
    store().acknowledge(f.id(), "api", p.clock().instant());
    ApiRequests.json(ctx, 200, json(store().get(f.id()).orElseThrow()));
  }

  private AlarmFiring firingOr404(String id) {
    return store().get(id).orElseThrow(() -> new ApiRoutes.ApiError(404, "no alarm '" + id + "'"));
  }

  /** A firing as the API shows it. */
  static ObjectNode json(AlarmFiring f) {
    ObjectNode o = ApiRoutes.JSON.createObjectNode();
    o.put("id", f.id());
    o.put("name", f.alarm());
    o.put("rule", f.rule());
    o.put("state", f.state().name());
    o.put("acknowledged", f.acknowledged());
    o.put("acknowledgedAt", f.acknowledgedAt().map(Instant::toString).orElse(null));
    o.put("acknowledgedBy", f.acknowledgedBy().orElse(null));
    o.put("firedAt", f.firedAt().toString());
    o.put("resolvedAt", f.resolvedAt().map(Instant::toString).orElse(null));
    ObjectNode w = o.putObject("window");
    w.put("from", f.windowFrom().toString());
    w.put("to", f.windowTo().toString());
    ArrayNode c = o.putArray("connectors");
    f.connectors().forEach(c::add);
    ObjectNode e = o.putObject("evidence");
    e.put("query", f.evidence().query());
    ArrayNode cols = e.putArray("columns");
    f.evidence().columns().forEach(cols::add);
    ArrayNode rows = e.putArray("rows");
    for (List<Object> r : f.evidence().rows()) {
      ArrayNode row = rows.addArray();
      for (Object v : r) {
        if (v == null) {
          row.addNull();
        } else if (v instanceof Long n) {
          row.add(n);
        } else if (v instanceof Double d && Double.isFinite(d)) {
          row.add(BigDecimal.valueOf(d)); // as the evidence holds it, without a binary tail
        } else if (v instanceof Boolean b) {
          row.add(b);
        } else {
          row.add(v.toString());
        }
      }
    }
    return o;
  }
}
