import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.response.ActionRecord;
import io.leakwatch.response.AuditLog;
import io.leakwatch.response.Responder;
import io.leakwatch.response.ResponseMode;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Manual measurement (not part of CI): the audit log's append-and-fsync rate, verify speed, and the
 * latency of an automatic endSession against the emulated REST API over loopback TLS.
 */
public class ResponseMeasure {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("lw-measure");
    try {
      audit(dir);
      endSession(dir);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void audit(Path dir) throws Exception {
    int n = 2000;
    try (AuditLog log = AuditLog.open(dir.resolve("a.jsonl"), Clock.systemUTC())) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        log.append("requested", Map.of("actionId", "act-" + i, "userId", "005000000000001AAA"));
      }
      long ns = System.nanoTime() - start;
      System.out.printf("audit append+fsync: %d entries in %d ms = %.0f entries/s, %.2f ms each%n", n, ns / 1_000_000, n / (ns / 1e9), ns / 1e6 / n);
    }
    long start = System.nanoTime();
    AuditLog.Verification check = AuditLog.verify(dir.resolve("a.jsonl"));
    System.out.printf("audit verify: %d entries in %d ms%n", check.entries(), (System.nanoTime() - start) / 1_000_000);
  }

  private static void endSession(Path dir) throws Exception {
    SelfSignedCertificate tls = SelfSignedCertificate.generate(dir.resolve("tls"));
    try (RestApiServer rest = RestApiServer.start(tls, "tok"::equals)) {
      ResponseSettings settings = ResponseSettings.of(ResponseMode.AUTO, dir.resolve("b.jsonl")).withTrustCertificate(tls.certificate());
      try (Responder responder = Responder.open(settings, TokenSource.fixed(new AccessGrant("tok", rest.url(), "00D000000000001AAA")))) {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          String user = String.format("005%012dAAA", i);
          rest.addSession(user);
          Alert alert = Alert.builder().id("lw-" + i).ruleId("LW-006").title("t").severity(Severity.CRITICAL).principal(user)
              .count(1).objects("").firstEventTime(1).lastEventTime(1).detectedAt(1)
              .responses(List.of(new ResponseRequest(ResponseAction.END_SESSION, "measure", false))).build();
          long start = System.nanoTime();
          List<ActionRecord> done = responder.submit(alert).get();
          if (done.get(0).state() != ActionRecord.State.DONE) {
            throw new IllegalStateException(done.toString());
          }
          latencies.add(System.nanoTime() - start);
        }
        List<Long> warm = new ArrayList<>(latencies.subList(50, latencies.size()));
        Collections.sort(warm);
        System.out.printf("endSession auto (query + delete over loopback TLS, 2 fsynced audit entries): p50 %.1f ms, p99 %.1f ms over %d warm runs; first %.0f ms%n",
            warm.get(warm.size() / 2) / 1e6, warm.get((int) (warm.size() * 0.99)) / 1e6, warm.size(), latencies.get(0) / 1e6);
      }
    }
  }
}
