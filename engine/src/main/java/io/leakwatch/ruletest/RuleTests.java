package io.leakwatch.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.rulepack.RulePackException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Runs the test cases that live beside each rule ({@code <rule>/tests/*.json}). Every case gets a
 * fresh pipeline on the once-compiled pack, so cases cannot leak state into each other.
 */
public final class RuleTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of one case; {@code problem} is null when it passed. */
  public record Result(RuleTestCase testCase, List<String> actual, String problem, long millis) {
    public boolean passed() {
      return problem == null;
    }
  }

  private RuleTests() {}

  /** Reads every case of a pack folder; a malformed case file is an error naming the file. */
  public static List<RuleTestCase> load(Path packDir) throws IOException {
    List<RuleTestCase> cases = new ArrayList<>();
    try (Stream<Path> folders = Files.list(packDir)) {
      for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
        Path tests = folder.resolve("tests");
        if (!Files.isDirectory(tests)) {
          continue;
        }
        try (Stream<Path> files = Files.list(tests)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
            cases.addAll(parse(folder.getFileName().toString(), file));
          }
        }
      }
    }
    return cases;
  }

  private static List<RuleTestCase> parse(String folder, Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new RulePackException(file + ": not valid JSON: " + e.getMessage());
    }
    List<RuleTestCase> cases = new ArrayList<>();
    for (JsonNode node : root.isArray() ? root : List.of(root)) {
      String name = node.path("name").asText("");
      if (name.isBlank()) {
        throw new RulePackException(file + ": a test case needs a \"name\"");
      }
      List<EventJson> events = new ArrayList<>();
      int i = 0;
      for (JsonNode event : node.path("events")) {
        try {
          events.add(EventJson.parse(event));
        } catch (IllegalArgumentException e) {
          throw new RulePackException(
              file + ": case '" + name + "', events[" + i + "]: " + e.getMessage());
        }
        i++;
      }
      if (events.isEmpty()) {
        throw new RulePackException(file + ": case '" + name + "' has no events");
      }
      if (!node.has("expect") || !node.get("expect").isArray()) {
        throw new RulePackException(
            file + ": case '" + name + "' needs \"expect\": a list of alerts, [] for none");
      }
      List<RuleTestCase.Expected> expect = new ArrayList<>();
      for (JsonNode e : node.get("expect")) {
        if (!e.hasNonNull("rule")) {
          throw new RulePackException(
              file + ": case '" + name + "': every expected alert needs \"rule\"");
        }
        expect.add(
            new RuleTestCase.Expected(
                e.get("rule").asText(),
                text(e, "severity"),
                text(e, "principal"),
                e.hasNonNull("suppressed") ? e.get("suppressed").asBoolean() : null,
                texts(e.path("subjects")),
                text(e, "joins"),
                e.hasNonNull("count") ? e.get("count").asLong() : null,
                e.hasNonNull("revision") ? e.get("revision").asInt() : null));
      }
      cases.add(
          new RuleTestCase(
              folder,
              name,
              node.path("doc").asText(""),
              file.toString(),
              List.copyOf(events),
              List.copyOf(expect)));
    }
    return cases;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  /**
   * Runs every case in its own pipeline, several at a time (one per core): cases share nothing, and
   * a pack's hundred-odd cases are most of a CI run's rule time. Results come back in case order.
   */
  public static List<Result> run(CompiledPack pack, OrgProfile profile, List<RuleTestCase> cases) {
    int threads = Math.max(1, Math.min(cases.size(), Runtime.getRuntime().availableProcessors()));
    if (threads == 1) {
      return cases.stream().map(c -> runOne(pack, profile, c)).toList();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "rule-test");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Result>> futures = new ArrayList<>();
      for (RuleTestCase testCase : cases) {
        futures.add(pool.submit(() -> runOne(pack, profile, testCase)));
      }
      List<Result> results = new ArrayList<>();
      for (Future<Result> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("rule tests interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Result runOne(CompiledPack pack, OrgProfile profile, RuleTestCase testCase) {
    long start = System.nanoTime();
    List<Alert> alerts = new ArrayList<>();
    String problem = null;
    try (DetectionPipeline pipeline =
        new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults())) {
      for (EventJson event : testCase.events()) {
        alerts.addAll(pipeline.process(event.channel(), event.fields(), 0));
      }
      // Let every window close, as the rest of the day would.
      alerts.addAll(pipeline.advanceTo(pipeline.eventTime() + 3 * 3_600_000L));
      if (pipeline.stats().totalDeadLettered() > 0) {
        problem =
            pipeline.stats().totalDeadLettered()
                + " event(s) could not be processed (a rule threw)";
      }
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
    }
    List<String> actual = alerts.stream().map(RuleTests::describe).toList();
    if (problem == null) {
      problem = compare(testCase.expect(), alerts);
    }
    return new Result(testCase, actual, problem, (System.nanoTime() - start) / 1_000_000);
  }

  private static String describe(Alert a) {
    return a.ruleId()
        + " "
        + a.severity().label()
        + " "
        + a.principal()
        + (a.suppression() != null ? " suppressed" : "")
        + " count "
        + a.count()
        + (a.revision() > 1 ? " revision " + a.revision() : "");
  }

  /**
   * Whether {@code alert} joined an incident that an alert of {@code rule} opened or is part of.
   */
  private static boolean joins(Alert alert, String rule, List<Alert> alerts) {
    String incident = alert.incident();
    return incident != null
        && alerts.stream()
            .anyMatch(
                other ->
                    other != alert
                        && other.ruleId().equals(rule)
                        && (incident.equals(other.id()) || incident.equals(other.incident())));
  }

  /** Null when every alert is expected and every expectation met, once each. */
  private static String compare(List<RuleTestCase.Expected> expected, List<Alert> alerts) {
    List<Alert> left = new ArrayList<>(alerts);
    List<RuleTestCase.Expected> missing = new ArrayList<>();
    for (RuleTestCase.Expected e : expected) {
      Alert match =
          left.stream()
              .filter(
                  a ->
                      a.ruleId().equals(e.rule())
                          && (e.severity() == null
                              || a.severity().label().equalsIgnoreCase(e.severity()))
                          && (e.principal() == null || a.principal().equals(e.principal()))
                          && (e.suppressed() == null || e.suppressed() == (a.suppression() != null))
                          && a.subjects().users().containsAll(e.subjects())
                          && (e.joins() == null || joins(a, e.joins(), alerts))
                          && (e.count() == null || a.count() == e.count())
                          && (e.revision() == null || a.revision() == e.revision()))
              .findFirst()
              .orElse(null);
      if (match == null) {
        missing.add(e);
      } else {
        left.remove(match);
      }
    }
    if (missing.isEmpty() && left.isEmpty()) {
      return null;
    }
    StringBuilder problem = new StringBuilder();
    if (!missing.isEmpty()) {
      problem.append("expected but not raised: ").append(missing);
    }
    if (!left.isEmpty()) {
      problem
          .append(problem.length() > 0 ? "; " : "")
          .append("raised but not expected: ")
          .append(left.stream().map(RuleTests::describe).toList());
    }
    return problem.toString();
  }
}
