package io.leakwatch.api;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.decision.Alert;
import io.leakwatch.store.AlertStore;
import io.leakwatch.store.StoreSettings;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * The alerts {@code /alerts} answers from: every alert revision an org delivered, kept in the
 * {@link AlertStore} with that org, queried through the store's indexes (never by reading a file).
 */
public final class AlertHistory implements AutoCloseable {
  private final AlertStore store;

  public AlertHistory(AlertStore store) {
    this.store = store;
  }

  /** A history in a private in-memory store: for tests and one-off commands. */
  public static AlertHistory inMemory() {
    return new AlertHistory(
        AlertStore.open(StoreSettings.inMemory("history-" + UUID.randomUUID())));
  }

  /** An alert and the org that raised it. */
  public record Entry(String org, Alert alert) {}

  /**
   * A sink to put among an org's sinks: records what that org delivered. An alert the store can
   * never hold fails with {@link io.leakwatch.alert.AlertRefusedException}, which delivery does not
   * retry; a store that is away fails with a plain {@link IOException}, which it does.
   */
  public AlertSink sinkFor(String org) {
    return new HistorySink(this, org);
  }

  /** Named, so delivery's log lines say which sink. */
  private record HistorySink(AlertHistory history, String org) implements AlertSink {
    @Override
    public void accept(Alert alert) throws IOException {
      history.record(org, alert);
    }
  }

  public void record(String org, Alert alert) throws IOException {
    store.record(org, alert);
  }

  public AlertStore store() {
    return store;
  }

  /** One page of {@code query}, newest first, and the cursor of the next (null on the last). */
  AlertQuery.Page page(AlertQuery query) throws IOException {
    List<AlertStore.Stored> rows = store.page(query.filter());
    boolean more = rows.size() > query.limit();
    List<AlertStore.Stored> shown = more ? rows.subList(0, query.limit()) : rows;
    AlertStore.Stored last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
    return new AlertQuery.Page(
        shown.stream().map(s -> new Entry(s.org(), s.alert())).toList(),
        more ? AlertQuery.Cursor.after(last).encode() : null);
  }

  @Override
  public void close() {
    store.close();
  }
}
