package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyslogSinkTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern RFC5424 =
      Pattern.compile(
          "<(\\d{1,3})>1 (\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z) (\\S+) leakwatch - (\\S+) - (CEF:0\\|.*)");

  @TempDir Path dir;

  private SpooledAlertSink plain(SyslogReceiver receiver, DrillPolicy drills) throws Exception {
    return new SpooledAlertSink(
        "syslog[0]",
        dir.resolve("spool"),
        a -> SyslogMessage.format(a, SyslogMessage.DEFAULT_FACILITY),
        drills,
        false,
        new SyslogTransport("127.0.0.1", receiver.port(), null, Duration.ofSeconds(5)),
        new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  @Test
  void sendsRfc5424MessagesWithACefBodyInOctetCountedFrames() throws Exception {
    try (SyslogReceiver receiver = new SyslogReceiver(null);
        SpooledAlertSink sink = plain(receiver, DrillPolicy.SKIP)) {
      sink.accept(TestAlerts.alert("c1", Severity.CRITICAL, false));
      sink.accept(TestAlerts.alert("h1", Severity.HIGH, false));
      HttpReceiver.await(() -> receiver.messages.size() == 2, WAIT);
      Matcher m = RFC5424.matcher(receiver.messages.get(0));
      assertTrue(m.matches(), receiver.messages.get(0));
      assertEquals(10 * 8 + 2, Integer.parseInt(m.group(1)), "authpriv.crit");
      assertEquals("2026-03-09T14:01:01.000Z", m.group(2));
      assertEquals("LW-001", m.group(4));
      String cef = m.group(5);
      assertTrue(cef.startsWith("CEF:0|Leakwatch|Leakwatch|"), cef);
      String[] header = cef.split("\\|", 8);
      assertEquals("LW-001", header[4]);
      assertEquals("Bulk read of patient records", header[5]);
      assertEquals("10", header[6]);
      assertTrue(header[7].contains("externalId=c1 "), header[7]);
      assertTrue(header[7].contains("suid=0055f000003TeLeAAA"), header[7]);
      assertTrue(header[7].contains("cn1=240 cn1Label=count"), header[7]);
      assertTrue(header[7].contains("cs1=Contact,Case cs1Label=objects"), header[7]);
      Matcher high = RFC5424.matcher(receiver.messages.get(1));
      assertTrue(high.matches());
      assertEquals(10 * 8 + 3, Integer.parseInt(high.group(1)), "authpriv.err");
      assertEquals("8", high.group(5).split("\\|", 8)[6]);
      assertEquals(1, receiver.connections.get(), "one connection is kept open");
    }
  }

  @Test
  void aDroppedConnectionIsReopenedAndNoAlertIsLost() throws Exception {
    try (SyslogReceiver receiver = new SyslogReceiver(null);
        SpooledAlertSink sink = plain(receiver, DrillPolicy.SKIP)) {
      receiver.dropAfter.set(1);
      sink.accept(TestAlerts.alert("before"));
      HttpReceiver.await(() -> receiver.messages.size() == 1, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      // The receiver has closed its end; the next alert must notice and reconnect, not vanish into
      // the dead socket.
      HttpReceiver.await(() -> receiver.closed.get() == 1, WAIT);
      sink.accept(TestAlerts.alert("after1"));
      sink.accept(TestAlerts.alert("after2"));
      HttpReceiver.await(() -> receiver.messages.size() == 4, WAIT);
      assertEquals(2, receiver.connections.get());
      // Without acknowledgements nothing says the collector read "before": it comes again first,
      // with its externalId, for the collector to drop.
      assertTrue(receiver.messages.get(1).contains("externalId=before "));
      assertTrue(receiver.messages.get(2).contains("externalId=after1 "));
      assertTrue(receiver.messages.get(3).contains("externalId=after2 "));
    }
  }

  @Test
  void aReceiverThatIsDownIsRetriedUntilItComesBack() throws Exception {
    SyslogReceiver first = new SyslogReceiver(null);
    int port = first.port();
    first.close();
    try (SpooledAlertSink sink =
        new SpooledAlertSink(
            "syslog[0]",
            dir.resolve("spool"),
            a -> SyslogMessage.format(a, 10),
            DrillPolicy.SKIP,
            false,
            new SyslogTransport("127.0.0.1", port, null, Duration.ofSeconds(5)),
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
      sink.accept(TestAlerts.alert("queued"));
      HttpReceiver.await(() -> sink.stats().retries() >= 2, WAIT);
      assertEquals(1, sink.pending());
      try (SyslogReceiver again = new SyslogReceiver(null, port)) {
        HttpReceiver.await(() -> again.messages.size() == 1, WAIT);
        assertTrue(again.messages.get(0).contains("externalId=queued "));
      }
    }
  }

  @Test
  void overTlsWithTheCollectorsCertificateFromTheConfiguration() throws Exception {
    Path keystore = dir.resolve("collector.p12");
    Path pem = dir.resolve("collector.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "collector",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "collector",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        pem.toString());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(keys.getKeyManagers(), null, null);
    try (SyslogReceiver receiver = new SyslogReceiver(server)) {
      String yaml =
          "syslog: [{host: 127.0.0.1, port: "
              + receiver.port()
              + ", tls: true, trustCertificate: collector.pem, spool: spool-tls, "
              + "retry: {initialMillis: 10, maxMillis: 50}}]\nconsole: false";
      List<AlertSink> sinks =
          SinkConfig.parse(
              new ObjectMapper(new YAMLFactory()).readTree(yaml), "test.yaml", dir, Map.of());
      try {
        assertEquals(1, sinks.size());
        receiver.dropAfter.set(1);
        sinks.get(0).accept(TestAlerts.alert("tls1"));
        HttpReceiver.await(() -> receiver.messages.size() == 1, WAIT);
        HttpReceiver.await(() -> receiver.closed.get() == 1, WAIT);
        sinks.get(0).accept(TestAlerts.alert("tls2"));
        HttpReceiver.await(() -> receiver.messages.size() == 3, WAIT);
        assertTrue(receiver.messages.get(0).contains("externalId=tls1 "));
        assertTrue(receiver.messages.get(1).contains("externalId=tls1 "), "sent again");
        assertTrue(receiver.messages.get(2).contains("externalId=tls2 "));
      } finally {
        for (AlertSink sink : sinks) {
          sink.close();
        }
      }
    }
  }

  @Test
  void drillsAreSkippedByDefaultAndWhenMarkedCannotCrossAPagingThreshold() throws Exception {
    try (SyslogReceiver receiver = new SyslogReceiver(null)) {
      try (SpooledAlertSink sink = plain(receiver, DrillPolicy.SKIP)) {
        sink.accept(TestAlerts.alert("d", Severity.CRITICAL, true));
        assertEquals(1, sink.stats().skipped());
        assertEquals(0, sink.pending());
      }
      Alert drill = TestAlerts.alert("d", Severity.CRITICAL, true);
      String message = SyslogMessage.format(drill, 10);
      Matcher m = RFC5424.matcher(message);
      assertTrue(m.matches());
      assertEquals(10 * 8 + 6, Integer.parseInt(m.group(1)), "informational");
      String[] header = m.group(5).split("\\|", 8);
      assertEquals("[DRILL] Bulk read of patient records", header[5]);
      assertEquals("0", header[6]);
      assertTrue(header[7].contains("cat=drill"), header[7]);
      assertTrue(header[7].contains("cs5=critical cs5Label=leakwatchSeverity"), header[7]);
    }
  }

  /**
   * A collector that accepts the connection and stops reading, then dies with what it never read
   * (an RST): TCP took hundreds of messages, which count as delivered. The write that finds the
   * buffers full ends at the timeout (a read timeout does not cover writes) and is retried; the new
   * connection first gets again the messages that could still have been in the buffers, so every
   * message counted delivered reaches the collector that reads.
   */
  @Test
  void aCollectorThatStopsReadingEndsTheWriteAtTheTimeoutAndWhatTcpTookIsSentAgain()
      throws Exception {
    try (java.net.ServerSocket server =
        new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
      server.setReceiveBufferSize(32 * 1024);
      SyslogTransport transport =
          new SyslogTransport("127.0.0.1", server.getLocalPort(), null, Duration.ofSeconds(1));
      String padding = "x".repeat(900);
      java.util.function.IntFunction<String> message =
          i ->
              "<83>1 2026-03-09T14:01:01.000Z host leakwatch - LW-001 - CEF:0|Leakwatch|Leakwatch|1"
                  + "|LW-001|t|8|externalId=lw-"
                  + i
                  + " msg="
                  + padding;
      List<String> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CompletableFuture<Integer> failedAt =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                for (int i = 0; i < 100_000; i++) {
                  if (transport.send("lw-" + i, message.apply(i))
                      instanceof DeliveryOutcome.Delivered) {
                    delivered.add("lw-" + i);
                  } else {
                    return i;
                  }
                }
                return -1;
              });
      java.net.Socket stalled = server.accept(); // and never read
      int failed = failedAt.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(failed > 10, "TCP took " + failed + " messages before the write stalled");
      stalled.setSoLinger(true, 0);
      stalled.close(); // dies: what it never read is gone

      List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (java.net.Socket socket = server.accept()) {
                  InputStream in = socket.getInputStream();
                  Pattern key = Pattern.compile("externalId=(\\S+) ");
                  while (true) {
                    StringBuilder length = new StringBuilder();
                    for (int c = in.read(); c != ' '; c = in.read()) {
                      if (c < 0) {
                        return;
                      }
                      length.append((char) c);
                    }
                    String frame = new String(in.readNBytes(Integer.parseInt(length.toString())));
                    Matcher m = key.matcher(frame);
                    assertTrue(m.find(), frame);
                    received.add(m.group(1));
                  }
                } catch (java.io.IOException e) {
                  // the test closed the server
                }
              });
      reader.setDaemon(true);
      reader.start();
      // The spool retries the message that failed, then goes on.
      assertTrue(
          transport.send("lw-" + failed, message.apply(failed))
              instanceof DeliveryOutcome.Delivered);
      assertTrue(transport.send("lw-next", message.apply(-1)) instanceof DeliveryOutcome.Delivered);
      HttpReceiver.await(() -> received.contains("lw--1"), WAIT);
      assertTrue(
          received.containsAll(delivered),
          delivered.size()
              + " counted delivered, of them not received: "
              + delivered.stream().filter(k -> !received.contains(k)).toList());
      assertTrue(received.contains("lw-" + failed));
      transport.close();
    }
  }

  /**
   * A load balancer closes a connection idle for longer than its timeout, long after the last
   * write: a collector that was reading took everything, so nothing is repeated (most SIEMs do not
   * drop repeats and would page twice). Before, every reconnect repeated the last messages.
   */
  @Test
  void anIdleCloseLongAfterTheLastWriteRepeatsNothing() throws Exception {
    Received received =
        aThenEndThenB(
            Duration.ofSeconds(350), SyslogReceiver::hangUp, 2); // an AWS NLB's idle timeout
    assertEquals(List.of("a", "b"), received.ids(), "nothing sent twice");
    assertEquals(2, received.connections());
  }

  /**
   * A connection that ends by a reset long after the last write (a collector host that crashed and
   * came back, a NAT that dropped the connection) says nothing of when the collector stopped
   * reading: everything kept is sent again (before: an hour-old frame counted as read and was lost
   * if it had not been; helper-46's finding 2).
   */
  @Test
  void aResetLongAfterTheLastWriteRepeatsWhatWasKept() throws Exception {
    assertEquals(
        List.of("a", "a", "b"), aThenEndThenB(Duration.ofHours(1), SyslogReceiver::reset, 3).ids());
  }

  /** What a collector received, and over how many connections. */
  private record Received(List<String> ids, int connections) {}

  private interface ConnectionEnd {
    void end(SyslogReceiver receiver) throws Exception;
  }

  /**
   * Sends "a", lets {@code idle} pass, ends the connection the collector's way ({@code end}), then
   * sends "b" once the transport has noticed the end: what the collector received by then.
   */
  private static Received aThenEndThenB(Duration idle, ConnectionEnd end, int messages)
      throws Exception {
    AtomicLong ticker = new AtomicLong(START_NANOS);
    try (SyslogReceiver receiver = new SyslogReceiver(null)) {
      SyslogTransport transport = tickedTransport(receiver, ticker);
      assertTrue(transport.send("a", frameFor("a")) instanceof DeliveryOutcome.Delivered);
      HttpReceiver.await(() -> receiver.messages.size() == 1, WAIT);
      ticker.addAndGet(idle.toNanos());
      end.end(receiver);
      HttpReceiver.await(() -> transport.collectorEndedAt() != CollectorHangup.NOT_ENDED, WAIT);
      assertTrue(transport.send("b", frameFor("b")) instanceof DeliveryOutcome.Delivered);
      HttpReceiver.await(() -> receiver.messages.size() >= messages, WAIT);
      transport.close();
      return new Received(externalIds(receiver), receiver.connections.get());
    }
  }

  /**
   * A collector that ends the connection a second after a write may not have read it: that message
   * is repeated, even when the next alert comes minutes later (the end is noticed when it happens,
   * not when the next message is due); one written well before it is not.
   */
  @Test
  void anEndShortlyAfterAWriteRepeatsWhatWasWrittenJustBeforeIt() throws Exception {
    AtomicLong ticker = new AtomicLong(START_NANOS);
    try (SyslogReceiver receiver = new SyslogReceiver(null)) {
      SyslogTransport transport = tickedTransport(receiver, ticker);
      assertTrue(transport.send("old", frameFor("old")) instanceof DeliveryOutcome.Delivered);
      ticker.addAndGet(Duration.ofMinutes(5).toNanos());
      assertTrue(transport.send("last", frameFor("last")) instanceof DeliveryOutcome.Delivered);
      HttpReceiver.await(() -> receiver.messages.size() == 2, WAIT);
      ticker.addAndGet(Duration.ofSeconds(1).toNanos());
      receiver.hangUp();
      HttpReceiver.await(() -> transport.collectorEndedAt() != CollectorHangup.NOT_ENDED, WAIT);
      ticker.addAndGet(Duration.ofMinutes(10).toNanos()); // the next alert comes much later
      assertTrue(transport.send("next", frameFor("next")) instanceof DeliveryOutcome.Delivered);
      HttpReceiver.await(() -> receiver.messages.size() >= 4, WAIT);
      transport.close();
      assertEquals(List.of("old", "last", "last", "next"), externalIds(receiver));
    }
  }

  /**
   * A test's ticker starts where {@link System#nanoTime} may be: anywhere, here just before the
   * largest long, so the times compared wrap past it as a real ticker's may.
   */
  private static final long START_NANOS = Long.MAX_VALUE - Duration.ofMillis(500).toNanos();

  /**
   * The transport times frames and ends on a monotonic ticker (a fake one here): a wall clock that
   * NTP stepped an hour forward between a write and an end made the write look an hour old, and a
   * frame the collector may never have read was forgotten (and one step back made an idle close
   * look recent, repeating what was read).
   */
  private static SyslogTransport tickedTransport(SyslogReceiver receiver, AtomicLong ticker) {
    return new SyslogTransport(
        "127.0.0.1",
        receiver.port(),
        null,
        Duration.ofSeconds(5),
        SyslogTransport.RECEIVE_ALLOWANCE_BYTES,
        Duration.ofSeconds(10),
        ticker::get);
  }

  private static String frameFor(String key) {
    return "<83>1 2026-03-09T14:01:01.000Z host leakwatch - LW-001 - CEF:0|Leakwatch|Leakwatch|1"
        + "|LW-001|t|8|externalId="
        + key
        + " msg=m";
  }

  private static List<String> externalIds(SyslogReceiver receiver) {
    Pattern key = Pattern.compile("externalId=(\\S+) ");
    return receiver.messages.stream()
        .map(
            m -> {
              Matcher found = key.matcher(m);
              assertTrue(found.find(), m);
              return found.group(1);
            })
        .toList();
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertEquals(0, process.waitFor(), output);
  }
}
