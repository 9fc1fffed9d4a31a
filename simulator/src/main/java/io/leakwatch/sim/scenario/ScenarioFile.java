package io.leakwatch.sim.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scenario written as data: a YAML file naming its actors and the steps they take. This is how
 * the built-in library is written and how a user adds a scenario without Java; see {@code
 * simulator/scenarios/README.md} for the format.
 */
public final class ScenarioFile implements Scenario {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP_KEYS =
      Set.of("id", "title", "expect", "timeToDetect", "learnsHistory", "actors", "steps");
  private static final Set<String> STEP_KEYS =
      Set.of(
          "event",
          "actor",
          "at",
          "repeat",
          "every",
          "jitter",
          "session",
          "from",
          "previousWorkdays",
          "leak",
          "fields");

  private final String origin;
  private final String id;
  private final String title;
  private final List<String> expect;
  private final Duration timeToDetect;
  private final boolean learnsHistory;
  private final Map<String, Actor> actors;
  private final List<ScenarioStep> steps;

  private ScenarioFile(
      String origin,
      String id,
      String title,
      List<String> expect,
      Duration timeToDetect,
      boolean learnsHistory,
      Map<String, Actor> actors,
      List<ScenarioStep> steps) {
    this.origin = origin;
    this.id = id;
    this.title = title;
    this.expect = expect;
    this.timeToDetect = timeToDetect;
    this.learnsHistory = learnsHistory;
    this.actors = actors;
    this.steps = steps;
  }

  /** Parses and checks a scenario; every problem names the file and the key. */
  public static ScenarioFile parse(String yaml, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ScenarioException(
          origin,
          e.getLocation() == null ? null : "line " + e.getLocation().getLineNr(),
          "not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ScenarioException(
          origin, null, "must be a YAML mapping with id, title, expect, actors and steps");
    }
    keys(root, TOP_KEYS, origin, "");
    String id = required(root, "id", origin).asText();
    if (!id.matches("[a-z0-9][a-z0-9-]*")) {
      throw new ScenarioException(
          origin, "id", "'" + id + "' may only hold lower-case letters, digits and '-'");
    }
    String title = required(root, "title", origin).asText();
    List<String> expect = new ArrayList<>();
    JsonNode expectNode = required(root, "expect", origin);
    if (!expectNode.isArray() || expectNode.isEmpty()) {
      throw new ScenarioException(
          origin, "expect", "must list the rule ids the scenario should trigger, e.g. [LW-001]");
    }
    expectNode.forEach(n -> expect.add(n.asText()));
    Duration ttd =
        root.has("timeToDetect")
            ? duration(root.get("timeToDetect").asText(), origin, "timeToDetect")
            : Duration.ofMinutes(5);
    Map<String, Actor> actors = new LinkedHashMap<>();
    JsonNode actorsNode = required(root, "actors", origin);
    if (!actorsNode.isObject() || actorsNode.isEmpty()) {
      throw new ScenarioException(
          origin, "actors", "must map actor names to {role, pick} or {integration}");
    }
    actorsNode
        .fields()
        .forEachRemaining(e -> actors.put(e.getKey(), actor(e.getKey(), e.getValue(), origin)));
    List<ScenarioStep> steps = new ArrayList<>();
    JsonNode stepsNode = required(root, "steps", origin);
    if (!stepsNode.isArray() || stepsNode.isEmpty()) {
      throw new ScenarioException(origin, "steps", "must be a non-empty list");
    }
    for (int i = 0; i < stepsNode.size(); i++) {
      steps.add(step(stepsNode.get(i), "steps[" + i + "]", actors.keySet(), origin));
    }
    return new ScenarioFile(
        origin,
        id,
        title,
        List.copyOf(expect),
        ttd,
        root.path("learnsHistory").asBoolean(false),
        actors,
        List.copyOf(steps));
  }

  private static Actor actor(String name, JsonNode node, String origin) {
    String at = "actors." + name;
    if (!node.isObject()) {
      throw new ScenarioException(
          origin, at, "must be {role: ..., pick: N} or {integration: NAME}");
    }
    keys(node, Set.of("role", "pick", "desktopApi", "integration"), origin, at + ".");
    if (node.has("integration")) {
      return new Actor(name, null, 0, null, node.get("integration").asText());
    }
    if (!node.has("role")) {
      throw new ScenarioException(origin, at, "needs a role (a person) or an integration");
    }
    int pick = node.path("pick").asInt(0);
    if (pick < 0) {
      throw new ScenarioException(origin, at + ".pick", "must be 0 or more");
    }
    return new Actor(
        name,
        Actor.role(node.get("role").asText(), origin, at + ".role"),
        pick,
        node.has("desktopApi") ? node.get("desktopApi").asBoolean() : null,
        null);
  }

  private static ScenarioStep step(
      JsonNode node, String at, Set<String> actorNames, String origin) {
    if (!node.isObject()) {
      throw new ScenarioException(origin, at, "must be a mapping");
    }
    keys(node, STEP_KEYS, origin, at + ".");
    ScenarioStep.Kind kind;
    String kindText = required(node, "event", origin, at).asText();
    try {
      kind = ScenarioStep.Kind.parse(kindText);
    } catch (IllegalArgumentException e) {
      throw new ScenarioException(
          origin,
          at + ".event",
          "'" + kindText + "' is not an event kind (" + ScenarioStep.Kind.NAMES + ")");
    }
    String actor = required(node, "actor", origin, at).asText();
    if (!actorNames.contains(actor)) {
      throw new ScenarioException(
          origin, at + ".actor", "no actor '" + actor + "' (declared: " + actorNames + ")");
    }
    LocalTime time;
    try {
      time = LocalTime.parse(required(node, "at", origin, at).asText());
    } catch (DateTimeParseException e) {
      throw new ScenarioException(
          origin, at + ".at", "must be a time of day such as \"14:05\" (the org's time zone)");
    }
    int repeat = node.path("repeat").asInt(1);
    if (repeat < 1 || repeat > 100_000) {
      throw new ScenarioException(origin, at + ".repeat", "must be from 1 to 100000");
    }
    Duration every =
        node.has("every")
            ? duration(node.get("every").asText(), origin, at + ".every")
            : Duration.ZERO;
    Duration jitter =
        node.has("jitter")
            ? duration(node.get("jitter").asText(), origin, at + ".jitter")
            : Duration.ZERO;
    Map<String, Object> fields = new LinkedHashMap<>();
    if (node.has("fields")) {
      if (!node.get("fields").isObject()) {
        throw new ScenarioException(
            origin, at + ".fields", "must map Salesforce field names to values");
      }
      node.get("fields")
          .fields()
          .forEachRemaining(e -> fields.put(e.getKey(), scalar(e.getValue())));
    }
    ScenarioStep step =
        new ScenarioStep(
            kind,
            actor,
            time,
            repeat,
            every,
            jitter,
            text(node, "session"),
            text(node, "from"),
            node.path("previousWorkdays").asInt(0),
            node.path("leak").asBoolean(false),
            fields);
    step.validate(origin, at);
    return step;
  }

  private static Object scalar(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return value.asText();
  }

  private static String text(JsonNode node, String key) {
    return node.hasNonNull(key) ? node.get(key).asText() : null;
  }

  static Duration duration(String text, String origin, String key) {
    var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(text.trim());
    if (!m.matches()) {
      throw new ScenarioException(
          origin, key, "'" + text + "' is not a duration such as 500ms, 15s, 25m, 4h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static JsonNode required(JsonNode node, String key, String origin) {
    return required(node, key, origin, "");
  }

  private static JsonNode required(JsonNode node, String key, String origin, String at) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
      throw new ScenarioException(origin, at.isEmpty() ? key : at + "." + key, "is required");
    }
    return value;
  }

  private static void keys(JsonNode node, Set<String> known, String origin, String prefix) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new ScenarioException(
            origin, prefix + name, "unknown key (expected one of " + new TreeSet<>(known) + ")");
      }
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public List<String> expectedRules() {
    return expect;
  }

  @Override
  public Duration expectedTimeToDetect() {
    return timeToDetect;
  }

  @Override
  public boolean learnsHistory() {
    return learnsHistory;
  }

  /** Where the scenario was read from. */
  public String origin() {
    return origin;
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id);
    Map<String, Actor.Resolved> who = new HashMap<>();
    actors.forEach((name, actor) -> who.put(name, actor.resolve(org, origin)));
    Map<String, String> sessions = new HashMap<>();
    List<SimEvent> events = new ArrayList<>();
    for (int s = 0; s < steps.size(); s++) {
      ScenarioStep step = steps.get(s);
      String where = origin + ": steps[" + s + "]";
      Actor.Resolved actor = who.get(step.actor());
      for (LocalDate day : days(date, step.previousWorkdays())) {
        String stepSession =
            step.session() != null
                ? sessions.computeIfAbsent(step.session(), k -> make.sessionKey())
                : make.sessionKey();
        long first = TrafficGenerator.millis(day, step.at());
        for (int i = 0; i < step.repeat(); i++) {
          // The first repetition is exactly on time, so the leak's start is known without jitter.
          long jitter =
              i == 0 || step.jitter().isZero()
                  ? 0
                  : Math.floorMod(random.nextLong(), step.jitter().toMillis());
          long time = first + i * step.every().toMillis() + jitter;
          Map<String, Object> values = new LinkedHashMap<>();
          int index = i;
          step.fields()
              .forEach(
                  (name, value) ->
                      values.put(
                          name,
                          value instanceof String text
                              ? ScenarioStep.render(
                                  text, index, random, ref -> userId(who, ref, where), where)
                              : value));
          String ip = step.from() == null ? actor.defaultIp() : step.from();
          events.add(step.build(make, time, actor, ip, stepSession, values, random, where));
        }
      }
    }
    return events;
  }

  private String userId(Map<String, Actor.Resolved> who, String ref, String where) {
    Actor.Resolved actor = who.get(ref);
    if (actor == null) {
      throw new ScenarioException(
          where,
          null,
          "{userId " + ref + "}: no actor '" + ref + "' (declared: " + who.keySet() + ")");
    }
    return actor.user().id();
  }

  /** The scenario day, or the given number of working days before it (oldest first). */
  private static List<LocalDate> days(LocalDate date, int previousWorkdays) {
    if (previousWorkdays <= 0) {
      return List.of(date);
    }
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = date.minusDays(1);
        days.size() < previousWorkdays;
        day = day.minusDays(1)) {
      if (day.getDayOfWeek().getValue() < 6) {
        days.add(0, day);
      }
    }
    return days;
  }

  /**
   * The first step marked {@code leak: true} starts the leak; otherwise the first event touching
   * data.
   */
  @Override
  public long leakStart(LocalDate date, List<SimEvent> staged) {
    return steps.stream()
        .filter(ScenarioStep::leak)
        .findFirst()
        .map(step -> TrafficGenerator.millis(days(date, step.previousWorkdays()).get(0), step.at()))
        .orElseGet(() -> Scenario.super.leakStart(date, staged));
  }
}
