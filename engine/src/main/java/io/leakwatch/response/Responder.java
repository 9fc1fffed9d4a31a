package io.leakwatch.response;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.store.FencedOffException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the response actions that decision rules requested into audited dry runs, approvals waiting
 * for a human, or calls to Salesforce. Everything it does runs on its own single thread, in order,
 * so detection never waits for Salesforce and the audit log is written by one writer. This is the
 * class the HTTP API calls: {@link #pending()}, {@link #approve}, {@link #reject}, {@link
 * #history()}.
 *
 * <p>After a restart the audit log is read back: actions still waiting for approval wait again,
 * approved actions that had not finished run again (freezing, revoking and ending sessions are
 * idempotent), and alerts replayed by the restart do not request their actions a second time.
 */
public final class Responder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Responder.class);
  private static final int KEPT_FINISHED = 10_000;
  private static final java.util.regex.Pattern USER_ID =
      java.util.regex.Pattern.compile("005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?");

  private final ResponseSettings settings;
  private final AuditLog audit;
  private final ActionExecutor executor;
  private final Clock clock;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "leakwatch-response");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Every action known, by id, oldest first; finished ones beyond {@link #KEPT_FINISHED} are
   * dropped (the audit log keeps them).
   */
  private final Map<String, ActionRecord> actions = new LinkedHashMap<>();

  private final java.util.Set<String> seen = new java.util.HashSet<>();
  private volatile ActionClaims claims = ActionClaims.NODE_LOCAL;

  public Responder(
      ResponseSettings settings, AuditLog audit, ActionExecutor executor, Clock clock) {
    this.settings = settings;
    this.audit = audit;
    this.executor = executor;
    this.clock = clock;
    restore(audit.existingEntries());
  }

  /**
   * Opens the settings' audit log and acts through the Salesforce REST API with the org's grant.
   */
  public static Responder open(ResponseSettings settings, TokenSource tokens) throws IOException {
    AuditLog audit = AuditLog.open(settings.auditLog(), Clock.systemUTC());
    return new Responder(
        settings,
        audit,
        new SalesforceActions(
            tokens, TrustedCertificates.httpClient(settings.trustCertificate()), settings),
        Clock.systemUTC());
  }

  public ResponseSettings settings() {
    return settings;
  }

  /**
   * Requests an action only once {@code claims} say no node requested it before, and never under a
   * lease this node lost (an org shared by several nodes). Call before the first alert.
   */
  public Responder claimingIn(ActionClaims claims) {
    this.claims = java.util.Objects.requireNonNull(claims);
    return this;
  }

  /**
   * Takes the actions an alert requests; returns at once. The future completes with the actions it
   * created (none when the alert requested none, its actions are off, or they were already
   * requested) once they are audited, and, in auto mode, executed.
   */
  public CompletableFuture<List<ActionRecord>> submit(Alert alert) {
    if (alert.responses().isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.supplyAsync(() -> handle(alert), worker);
  }

  /** Actions waiting for approval, oldest first. */
  public List<ActionRecord> pending() {
    synchronized (actions) {
      return actions.values().stream()
          .filter(a -> a.state() == ActionRecord.State.PENDING)
          .toList();
    }
  }

  /** Every action this process knows of, oldest first (the audit log holds the full history). */
  public List<ActionRecord> history() {
    synchronized (actions) {
      return List.copyOf(actions.values());
    }
  }

  public java.util.Optional<ActionRecord> find(String id) {
    synchronized (actions) {
      return java.util.Optional.ofNullable(actions.get(id));
    }
  }

  /**
   * Approves a pending action and runs it. Fails with {@link NoSuchElementException} for an unknown
   * id and {@link IllegalStateException} for one not pending; completes once it ran.
   */
  public CompletableFuture<ActionRecord> approve(String id, String approver) {
    requireActor(approver);
    return CompletableFuture.supplyAsync(
        () -> {
          ActionRecord action = pendingAction(id);
          write("approved", action, Map.of("actor", approver));
          ActionRecord ran = run(action.with(ActionRecord.State.RUNNING, approver, null, null));
          settled(ran);
          return ran;
        },
        worker);
  }

  /**
   * Rejects a pending action: it never runs. {@code reason} is free text for the audit log: write
   * no patient data in it.
   */
  public CompletableFuture<ActionRecord> reject(String id, String approver, String reason) {
    requireActor(approver);
    return CompletableFuture.supplyAsync(
        () -> {
          ActionRecord action = pendingAction(id);
          String why = reason == null ? "" : reason.strip();
          if (why.length() > 500) {
            why = why.substring(0, 500);
          }
          write("rejected", action, Map.of("actor", approver, "reason", why));
          ActionRecord rejected = action.with(ActionRecord.State.REJECTED, approver, why, null);
          put(rejected);
          settled(rejected);
          return rejected;
        },
        worker);
  }

  private List<ActionRecord> handle(Alert alert) {
    List<ActionRecord> created = new ArrayList<>();
    for (ResponseRequest request : alert.responses()) {
      ResponseMode mode = settings.modeFor(request.action());
      if (request.needsApproval()) {
        mode = mode.atMost(ResponseMode.APPROVAL);
      }
      if (alert.drill() || alert.suppression() != null) {
        // A drill or a suppressed alert never touches the org.
        mode = mode.atMost(ResponseMode.DRY_RUN);
      }
      String unsound = unsoundTarget(alert);
      if (unsound != null && mode == ResponseMode.AUTO) {
        // Acting on the wrong user is worse than acting late: a human looks first.
        LOG.warn(
            "response action {} for alert {} held for approval: {}",
            request.action().label(),
            alert.id(),
            unsound);
        mode = ResponseMode.APPROVAL;
      }
      if (mode == ResponseMode.OFF) {
        continue;
      }
      String id = actionId(alert.id(), request.action());
      synchronized (actions) {
        if (!seen.add(id)) {
          continue;
        }
      }
      if (!claimed(id, request, alert)) {
        continue;
      }
      ActionRecord action =
          new ActionRecord(
              id,
              alert.id(),
              alert.ruleId(),
              request.requestedBy(),
              request.action(),
              alert.principal(),
              mode,
              ActionRecord.State.PENDING,
              clock.instant(),
              null,
              null,
              null);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("requestedBy", request.requestedBy());
      fields.put("revision", alert.revision());
      fields.put("drill", alert.drill());
      try {
        write("requested", action, fields);
      } catch (UncheckedIOException e) {
        synchronized (actions) {
          seen.remove(
              id); // not on the record, so not taken: a replay of the alert may request it again
        }
        throw e;
      }
      switch (mode) {
        case DRY_RUN -> {
          write("dryRun", action, Map.of("wouldCall", executor.describe(action.action())));
          action = action.with(ActionRecord.State.DRY_RUN, null, null, null);
          put(action);
          settled(action);
        }
        // Settled once a person decides: a node lost meanwhile leaves the claim open, and the
        // org's next owner requests the action again.
        case APPROVAL -> put(action);
        case AUTO -> {
          action = run(action.with(ActionRecord.State.RUNNING, "auto", null, null));
          settled(action);
        }
        default -> throw new IllegalStateException(mode.toString());
      }
      created.add(action);
    }
    return created;
  }

  /**
   * Records in the shared claims that the action ran (or was rejected, or only audited), so no node
   * that owns the org later requests it again. Only after it ran: a node lost while it runs leaves
   * the claim open, and the next owner repeats an action (all three are idempotent) rather than
   * never taking it.
   */
  private void settled(ActionRecord action) {
    try {
      claims.settled(action.id());
    } catch (IOException e) {
      LOG.warn(
          "response action {} for alert {} is {}, but the shared record of it could not be"
              + " completed ({}); a node that takes the org over may take it again",
          action.action().label(),
          action.alertId(),
          action.state(),
          e.getMessage());
    }
  }

  /**
   * Whether this node is to request the action: false when another node (or this one, before a
   * restart that lost its audit log) did, or when this node lost the org's lease. Throws when the
   * shared record cannot be read, so nothing is requested unrecorded.
   */
  private boolean claimed(String id, ResponseRequest request, Alert alert) {
    try {
      if (claims.claim(id)) {
        return true;
      }
      LOG.info(
          "response action {} for alert {} was requested before, by this org's earlier owner",
          request.action().label(),
          alert.id());
      return false;
    } catch (FencedOffException e) {
      LOG.warn(
          "response action {} for alert {} not requested: {}",
          request.action().label(),
          alert.id(),
          e.getMessage());
      return false;
    } catch (IOException e) {
      synchronized (actions) {
        seen.remove(id); // not requested: a replay of the alert may request it again
      }
      throw new UncheckedIOException(
          "response action " + request.action().label() + " could not be claimed", e);
    }
  }

  /**
   * Why an alert's principal is not a target an automatic action may touch, or null: it must be a
   * Salesforce user id (key prefix 005, 15 or 18 characters). An id taken from a field the docs say
   * may be missing, or holding something else, is held for a human.
   */
  static String unsoundTarget(Alert alert) {
    String principal = alert.principal();
    if (principal == null || principal.isBlank()) {
      return "the alert names no user";
    }
    if (!USER_ID.matcher(principal).matches()) {
      return "the alert's principal is not a Salesforce user id";
    }
    return null;
  }

  private ActionRecord run(ActionRecord action) {
    put(action);
    ActionOutcome outcome;
    try {
      outcome = executor.execute(action.action(), action.userId());
    } catch (RuntimeException e) {
      outcome = ActionOutcome.failed(0, "EXECUTOR_ERROR", 0, 0);
      LOG.error(
          "response action {} ({}) failed unexpectedly: {}",
          action.id(),
          action.action().label(),
          e.getClass().getSimpleName());
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", outcome.done() ? "done" : "failed");
    fields.put("status", outcome.status());
    fields.put("errorCode", outcome.errorCode());
    fields.put("attempts", outcome.attempts());
    fields.put("affected", outcome.affected());
    write("executed", action, fields);
    if (outcome.done()) {
      LOG.warn(
          "response action {}: {} on user {} done ({} records)",
          action.id(),
          action.action().label(),
          action.userId(),
          outcome.affected());
    } else {
      LOG.error(
          "response action {}: {} on user {} failed: HTTP {} {}",
          action.id(),
          action.action().label(),
          action.userId(),
          outcome.status(),
          outcome.errorCode());
    }
    ActionRecord finished =
        action.with(
            outcome.done() ? ActionRecord.State.DONE : ActionRecord.State.FAILED,
            action.decidedBy(),
            null,
            outcome);
    put(finished);
    return finished;
  }

  private ActionRecord pendingAction(String id) {
    ActionRecord action;
    synchronized (actions) {
      action = actions.get(id);
    }
    if (action == null) {
      throw new NoSuchElementException("no response action " + id);
    }
    if (action.state() != ActionRecord.State.PENDING) {
      throw new IllegalStateException(
          "response action " + id + " is " + action.state().name().toLowerCase() + ", not pending");
    }
    return action;
  }

  private void write(String event, ActionRecord action, Map<String, ?> extra) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("actionId", action.id());
    fields.put("alertId", action.alertId());
    fields.put("ruleId", action.ruleId());
    fields.put("action", action.action().label());
    fields.put("userId", action.userId());
    fields.put("mode", action.mode().label());
    fields.putAll(extra);
    try {
      audit.append(event, fields);
    } catch (IOException e) {
      // Nothing happens that is not on the record: an action whose audit entry failed does not run.
      throw new UncheckedIOException("audit log " + audit.file() + " could not be written", e);
    }
  }

  private void put(ActionRecord action) {
    synchronized (actions) {
      actions.put(action.id(), action);
      seen.add(action.id());
      if (actions.size() > KEPT_FINISHED) {
        actions.values().stream()
            .filter(
                a ->
                    a.state() != ActionRecord.State.PENDING
                        && a.state() != ActionRecord.State.RUNNING)
            .findFirst()
            .ifPresent(oldest -> actions.remove(oldest.id()));
      }
    }
  }

  /**
   * Rebuilds what the audit log says: pending approvals wait again, approved unfinished actions run
   * again.
   */
  private void restore(List<JsonNode> entries) {
    List<ActionRecord> unfinished = new ArrayList<>();
    for (JsonNode entry : entries) {
      String id = entry.path("actionId").asText();
      String event = entry.path("event").asText();
      ActionRecord known;
      synchronized (actions) {
        known = actions.get(id);
      }
      switch (event) {
        case "requested" -> {
          ResponseMode mode = ResponseMode.parse(entry.path("mode").asText());
          put(
              new ActionRecord(
                  id,
                  entry.path("alertId").asText(),
                  entry.path("ruleId").asText(),
                  entry.path("requestedBy").asText(),
                  ResponseAction.parse(entry.path("action").asText()),
                  entry.path("userId").asText(),
                  mode,
                  mode == ResponseMode.AUTO
                      ? ActionRecord.State.RUNNING
                      : ActionRecord.State.PENDING,
                  Instant.parse(entry.path("time").asText()),
                  mode == ResponseMode.AUTO ? "auto" : null,
                  null,
                  null));
        }
        case "dryRun" -> {
          if (known != null) {
            put(known.with(ActionRecord.State.DRY_RUN, null, null, null));
          }
        }
        case "approved" -> {
          if (known != null) {
            put(known.with(ActionRecord.State.RUNNING, entry.path("actor").asText(), null, null));
          }
        }
        case "rejected" -> {
          if (known != null) {
            put(
                known.with(
                    ActionRecord.State.REJECTED,
                    entry.path("actor").asText(),
                    entry.path("reason").asText(),
                    null));
          }
        }
        case "executed" -> {
          if (known != null) {
            ActionOutcome outcome =
                new ActionOutcome(
                    "done".equals(entry.path("outcome").asText()),
                    entry.path("status").asInt(),
                    entry.hasNonNull("errorCode") ? entry.get("errorCode").asText() : null,
                    entry.path("attempts").asInt(),
                    entry.path("affected").asInt());
            put(
                known.with(
                    outcome.done() ? ActionRecord.State.DONE : ActionRecord.State.FAILED,
                    known.decidedBy(),
                    null,
                    outcome));
          }
        }
        default -> LOG.warn("audit log {}: unknown event '{}' ignored", audit.file(), event);
      }
    }
    synchronized (actions) {
      actions.values().stream()
          .filter(a -> a.state() == ActionRecord.State.RUNNING)
          .forEach(unfinished::add);
    }
    for (ActionRecord action : unfinished) {
      LOG.warn(
          "response action {} ({}) was approved but did not finish before the last stop; running it again",
          action.id(),
          action.action().label());
      worker.execute(() -> run(action));
    }
  }

  private static void requireActor(String approver) {
    if (approver == null || approver.isBlank()) {
      throw new IllegalArgumentException("an approval or rejection must name who made it");
    }
  }

  static String actionId(String alertId, ResponseAction action) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((alertId + '\0' + action.label()).getBytes(StandardCharsets.UTF_8));
      return "act-" + HexFormat.of().formatHex(hash, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for queued work (at most {@code timeoutMillis}), then closes the audit log. */
  public void close(long timeoutMillis) throws IOException, InterruptedException {
    worker.shutdown();
    if (!worker.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
      LOG.error(
          "response actions still running after {} ms at shutdown; the audit log shows what was not finished",
          timeoutMillis);
      worker.shutdownNow();
    }
    audit.close();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    close(30_000);
  }
}
