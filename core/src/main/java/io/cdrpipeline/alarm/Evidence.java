package io.cdrpipeline.alarm;

import java.util.List;
import java.util.Objects;

/** Why an alarm fires: the rule's query, as run, and its top rows. */
public record Evidence(String query, List<String> columns, List<List<Object>> rows) {
  public Evidence {
    Objects.requireNonNull(query, "query");
    columns = List.copyOf(columns);
    rows =
        rows.stream()
            .map(r -> java.util.Collections.unmodifiableList(new java.util.ArrayList<>(r)))
            .toList();
  }

  /** True when the query found something: the alarm fires. */
  public boolean fires() {
    return !rows.isEmpty();
  }
}
