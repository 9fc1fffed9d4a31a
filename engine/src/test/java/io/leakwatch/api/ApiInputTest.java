package io.leakwatch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.CompiledPack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies are checked before anything acts on them: unknown keys, text that is not UTF-8 or
 * too long, and a drill without an explicit scenario list are refused with 400; client errors are
 * logged as warnings naming the route, never as errors.
 */
class ApiInputTest {
  private static final String TOKEN = "input-test-token-0123456789";

  @TempDir Path dir;
  private ApiServer server;
  private TestOrg org;
  private final List<DrillLauncher.DrillRequest> started = new CopyOnWriteArrayList<>();

  private static CompiledPack pack;

  @BeforeAll
  static void compile() throws Exception {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(Path.of("../rules/pack")));
  }

  @BeforeEach
  void start() throws Exception {
    org = new TestOrg("acme", TestPacks.copyDefaultPack(dir.resolve("rules")), pack);
    DrillLauncher drills =
        new DrillLauncher() {
          @Override
          public DrillRun start(DrillRequest request) {
            started.add(request);
            return new DrillRun("d-1", "acme", "running", Instant.now(), null, Map.of());
          }

          @Override
          public List<DrillRun> list() {
            return List.of();
          }

          @Override
          public Optional<DrillRun> find(String id) {
            return Optional.empty();
          }
        };
    server =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, List.of(TOKEN), null, null),
            List.of(org),
            AlertHistory.inMemory(),
            drills);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    org.close();
  }

  @Test
  void aDrillMustBeAskedForExplicitly() throws Exception {
    assertEquals(400, post("/drills", bytes("")).statusCode(), "an empty body starts nothing");
    assertEquals(400, post("/drills", bytes("{}")).statusCode());
    assertEquals(400, post("/drills", bytes("{\"scenarios\": []}")).statusCode());
    HttpResponse<String> unknown = post("/drills", bytes("{\"scenario\": \"all\"}"));
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("unknown key") && unknown.body().contains("scenario"));
    assertEquals(List.of(), started, "nothing started");

    assertEquals(202, post("/drills", bytes("{\"scenarios\": \"all\"}")).statusCode());
    assertEquals(202, post("/drills", bytes("{\"scenarios\": [\"bulk-export\"]}")).statusCode());
    assertEquals(List.of(List.of("all"), List.of("bulk-export")), scenarios());
  }

  @Test
  void textThatIsNotUtf8IsRefusedNotRecordedAsReplacementCharacters() throws Exception {
    byte[] latin1 =
        "{\"scenarios\": \"all\", \"org\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    HttpResponse<String> refused = post("/drills", latin1);
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("UTF-8"), refused.body());
    assertEquals(List.of(), started);
  }

  @Test
  void approvalBodiesAreCheckedKeyByKeyAndFieldByField() {
    Set<String> keys = Set.of("approver", "reason");
    String example = "{\"approver\": \"jane\"}";
    assertThrows(
        RequestBody.Invalid.class,
        () ->
            RequestBody.parse(
                Buffer.buffer(
                    new byte[] {'{', '"', 'a', 'p', '"', ':', '"', (byte) 0xC3, '"', '}'}),
                keys,
                example));
    assertThrows(
        RequestBody.Invalid.class,
        () -> RequestBody.parse(Buffer.buffer("{\"aprover\": \"jane\"}"), keys, example));
    RequestBody tooLong =
        RequestBody.parse(
            Buffer.buffer("{\"approver\": \"" + "j".repeat(201) + "\"}"), keys, example);
    assertThrows(RequestBody.Invalid.class, () -> tooLong.text("approver", 200));
    RequestBody control =
        RequestBody.parse(Buffer.buffer("{\"approver\": \"jane\\u0000doe\"}"), keys, example);
    assertThrows(RequestBody.Invalid.class, () -> control.text("approver", 200));
    RequestBody replacement =
        RequestBody.parse(Buffer.buffer("{\"approver\": \"\uFFFD\uFFFD\"}"), keys, example);
    assertThrows(RequestBody.Invalid.class, () -> replacement.text("approver", 200));
    assertEquals(
        "jane.doe",
        RequestBody.parse(Buffer.buffer("{\"approver\": \" jane.doe \"}"), keys, example)
            .text("approver", 200));
  }

  @Test
  void clientErrorsAreWarningsNamingTheRouteNeverErrors() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(
          413,
          post("/drills", bytes("{\"scenarios\": \"" + "x".repeat(70_000) + "\"}")).statusCode());
      assertEquals(400, post("/drills", bytes("{}")).statusCode());
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    original.print(log);
    assertFalse(log.contains("ERROR"), log);
    assertTrue(log.contains("WARN") && log.contains("/drills"), log);
  }

  private List<List<String>> scenarios() {
    return started.stream().map(DrillLauncher.DrillRequest::scenarios).toList();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private HttpResponse<String> post(String path, byte[] body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
