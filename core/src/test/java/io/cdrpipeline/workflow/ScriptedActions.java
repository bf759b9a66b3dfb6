package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline actions whose outcome per step is scripted by a test: succeed, throw, block (until
 * interrupted), or wait until the test releases it (then take the next outcome if it is an
 * exception).
 */
final class ScriptedActions implements PipelineActions {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Step name to the outcomes of its next calls; an empty script succeeds. */
  final Map<String, Deque<Object>> script = new ConcurrentHashMap<>();

  final List<String> calls = new CopyOnWriteArrayList<>();
  final CountDownLatch blocked = new CountDownLatch(1);
  final CountDownLatch waiting = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  ScriptedActions then(String step, Object... outcomes) {
    script.computeIfAbsent(step, k -> new ArrayDeque<>()).addAll(List.of(outcomes));
    return this;
  }

  private ObjectNode call(String step) throws Exception {
    calls.add(step);
    Deque<Object> q = script.get(step);
    Object next = q == null ? null : q.poll();
    if (next instanceof Exception e) {
      throw e;
    }
    if ("block".equals(next)) {
      blocked.countDown();
      Thread.sleep(Long.MAX_VALUE);
    }
    if ("wait".equals(next)) {
      waiting.countDown();
      boolean released = false;
      while (!released) {
        try {
          released = release.await(10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ignored) {
          // deaf to interrupts on purpose, as a step in blocking I/O may be: it ends when released
        }
      }
      if (q.peek() instanceof Exception e) {
        q.poll();
        throw e;
      }
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("step", step);
    return o;
  }

  @Override
  public ObjectNode crawlRaw(boolean everything, boolean additional) throws Exception {
    return call("crawl-raw");
  }

  @Override
  public boolean hasAdditionalBucket() {
    return false;
  }

  @Override
  public ObjectNode etlDay(LocalDate day) throws Exception {
    ObjectNode o = call("etl");
    o.put("date", day.toString());
    return o;
  }

  @Override
  public ObjectNode etlFull() throws Exception {
    return call("etl");
  }

  @Override
  public ObjectNode crawlProcessed(boolean everything) throws Exception {
    return call("crawl-processed");
  }

  @Override
  public ObjectNode maintainTable() throws Exception {
    return call("maintain-table");
  }

  @Override
  public ObjectNode report(YearMonth month) throws Exception {
    ObjectNode o = call("query");
    o.put("npanxxKey", "reports/" + month + "/npanxx.csv");
    o.put("summaryKey", "reports/" + month + "/summary.csv");
    return o;
  }

  @Override
  public String reportLink(String key, Duration expiry) throws Exception {
    call("link");
    return "http://localhost/" + key + "?expires=1&signature=x";
  }
}
