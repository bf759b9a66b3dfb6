package io.cdrpipeline.query;

import java.io.IOException;
import java.util.List;

/** Receives a query result as it streams: the header once, then each row. */
public interface QuerySink {
  void header(List<String> columns, List<String> types) throws IOException;

  void row(List<Object> values) throws IOException;

  /** Called after the last row. */
  default void end() throws IOException {}
}
