package io.leakwatch.sim.server;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.Schema;

/**
 * A Pub/Sub API endpoint for the simulated org, on TLS, speaking the eventbus.v1 wire protocol. Any
 * Pub/Sub client can subscribe to it as it would to Salesforce.
 */
public final class PubSubServer implements AutoCloseable {
  private final Server server;
  private final PubSubService service;
  private final Map<String, TopicLog> topics;
  private final ScheduledExecutorService timer;
  private final Path certificate;
  private final java.util.concurrent.atomic.AtomicReference<Predicate<String>> tokens;
  private final Map<String, Schema> schemas;

  private PubSubServer(
      Server server,
      PubSubService service,
      Map<String, TopicLog> topics,
      ScheduledExecutorService timer,
      Path certificate,
      java.util.concurrent.atomic.AtomicReference<Predicate<String>> tokens,
      Map<String, Schema> schemas) {
    this.tokens = tokens;
    this.schemas = schemas;
    this.server = server;
    this.service = service;
    this.topics = topics;
    this.timer = timer;
    this.certificate = certificate;
  }

  /** How the server is set up; {@link #defaults} suits demos and tests. */
  public record Settings(
      String host,
      int port,
      String tenantId,
      Path certificate,
      Path privateKey,
      Path certificateDir,
      Duration keepAlive,
      Duration idleClose,
      Predicate<String> tokens) {
    public static Settings defaults(String tenantId, Path certificateDir) {
      return new Settings(
          "127.0.0.1",
          0,
          tenantId,
          null,
          null,
          certificateDir,
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          t -> true);
    }

    public Settings withPort(int newPort) {
      return new Settings(
          host,
          newPort,
          tenantId,
          certificate,
          privateKey,
          certificateDir,
          keepAlive,
          idleClose,
          tokens);
    }

    /** A freshly generated certificate in {@code dir}: a server restarted with a new one. */
    public Settings withCertificateDir(Path dir) {
      return new Settings(host, port, tenantId, null, null, dir, keepAlive, idleClose, tokens);
    }

    public Settings withTimers(Duration newKeepAlive, Duration newIdleClose) {
      return new Settings(
          host,
          port,
          tenantId,
          certificate,
          privateKey,
          certificateDir,
          newKeepAlive,
          newIdleClose,
          tokens);
    }

    public Settings withTokens(Predicate<String> check) {
      return new Settings(
          host,
          port,
          tenantId,
          certificate,
          privateKey,
          certificateDir,
          keepAlive,
          idleClose,
          check);
    }
  }

  /**
   * Starts serving {@code schemasByTopic} (topics the org publishes; read-only, like RTEM streams).
   */
  public static PubSubServer start(
      Settings settings, Map<String, Schema> schemasByTopic, long firstReplayId)
      throws IOException {
    return start(settings, schemasByTopic, Map.of(), firstReplayId);
  }

  /**
   * Also serves {@code platformEventsByTopic}: custom platform event channels (such as
   * /event/Leakwatch_Alert__e) that clients may Publish to as well as subscribe to.
   */
  public static PubSubServer start(
      Settings settings,
      Map<String, Schema> schemasByTopic,
      Map<String, Schema> platformEventsByTopic,
      long firstReplayId)
      throws IOException {
    Map<String, TopicLog> topics = new LinkedHashMap<>();
    Map<String, Schema> schemas = new java.util.concurrent.ConcurrentHashMap<>();
    long replayBase = firstReplayId;
    for (Map.Entry<String, Schema> entry : schemasByTopic.entrySet()) {
      String schemaId = io.leakwatch.sim.traffic.EventSchemas.schemaId(entry.getValue());
      topics.put(entry.getKey(), new TopicLog(entry.getKey(), schemaId, false, replayBase));
      schemas.put(schemaId, entry.getValue());
      replayBase += 1_000_000_000L;
    }
    for (Map.Entry<String, Schema> entry : platformEventsByTopic.entrySet()) {
      String schemaId = io.leakwatch.sim.traffic.EventSchemas.schemaId(entry.getValue());
      topics.put(entry.getKey(), new TopicLog(entry.getKey(), schemaId, true, replayBase));
      schemas.put(schemaId, entry.getValue());
      replayBase += 1_000_000_000L;
    }
    return serve(settings, topics, schemas);
  }

  /**
   * This server stopped and started again with {@code settings} (a new certificate, say), on the
   * same bus: what was published keeps its replay ids and stays retained, as Salesforce's event bus
   * outlives any one server.
   */
  public PubSubServer restart(Settings settings) throws IOException {
    close();
    return serve(settings, topics, schemas);
  }

  private static PubSubServer serve(
      Settings settings, Map<String, TopicLog> topics, Map<String, Schema> schemas)
      throws IOException {
    Path cert = settings.certificate();
    Path key = settings.privateKey();
    if (cert == null) {
      SelfSignedCertificate generated = SelfSignedCertificate.generate(settings.certificateDir());
      cert = generated.certificate();
      key = generated.privateKey();
    }
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "pubsub-sim-timer");
              thread.setDaemon(true);
              return thread;
            });
    PubSubService service =
        new PubSubService(
            settings.tenantId(),
            topics,
            schemas,
            timer,
            settings.keepAlive(),
            settings.idleClose());
    var tokens = new java.util.concurrent.atomic.AtomicReference<>(settings.tokens());
    Server server =
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new InetSocketAddress(settings.host(), settings.port()),
                TlsServerCredentials.create(cert.toFile(), key.toFile()))
            .addService(
                ServerInterceptors.intercept(
                    service, new AuthCheck(token -> tokens.get().test(token))))
            .maxInboundMessageSize(4 * 1024 * 1024)
            .build()
            .start();
    return new PubSubServer(server, service, topics, timer, cert, tokens, schemas);
  }

  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** The PEM certificate clients must trust. */
  public Path certificate() {
    return certificate;
  }

  public SubscribeStats stats() {
    return service.stats();
  }

  /** Publishes one event as the org would; returns its replay id. */
  public ByteString publish(String topic, String eventId, byte[] payload) {
    TopicLog log = topic(topic);
    return log.append(
        ProducerEvent.newBuilder()
            .setId(eventId)
            .setSchemaId(log.schemaId())
            .setPayload(ByteString.copyFrom(payload))
            .build());
  }

  /** Publishes raw bytes under any schema id: for feeding clients malformed input. */
  public ByteString publishRaw(String topic, String eventId, String schemaId, byte[] payload) {
    return topic(topic)
        .append(
            ProducerEvent.newBuilder()
                .setId(eventId)
                .setSchemaId(schemaId)
                .setPayload(ByteString.copyFrom(payload))
                .build());
  }

  /** Serves another schema (an evolved version of a topic's) and returns its id. */
  public String registerSchema(Schema schema) {
    String id = io.leakwatch.sim.traffic.EventSchemas.schemaId(schema);
    schemas.put(id, schema);
    return id;
  }

  public TopicLog topic(String topic) {
    TopicLog log = topics.get(topic);
    if (log == null) {
      throw new IllegalArgumentException("no topic " + topic);
    }
    return log;
  }

  /** Fault injection: which access tokens are accepted from now on (expired or revoked tokens). */
  public void acceptTokens(Predicate<String> check) {
    tokens.set(check);
  }

  /** Fault injection: streams stay open but go silent (no events, no keepalives) until resumed. */
  public void stall(boolean stall) {
    service.stall(stall);
  }

  /**
   * Fault injection: every event published so far leaves the retention window; its replay id is
   * rejected.
   */
  public void expireRetained() {
    topics.values().forEach(log -> log.purgeBefore(log.endIndex()));
  }

  /**
   * Fault injection: the next {@code count} GetSchema calls fail as Salesforce's do while the
   * service is down: INTERNAL with the {@code service.unavailable} code.
   */
  public void failSchemaRequests(int count) {
    service.failSchemaRequests(count);
  }

  /**
   * Fault injection: the next {@code count} GetSchema calls time out (DEADLINE_EXCEEDED): one
   * schema the service cannot serve, while it answers otherwise.
   */
  public void timeOutSchemaRequests(int count) {
    service.timeOutSchemaRequests(count);
  }

  /** GetSchema calls received so far, answered or failed. */
  public long schemaRequests() {
    return service.schemaRequests();
  }

  /** Fault injection: ends every open Subscribe stream with {@code status}. */
  public void dropStreams(Status status) {
    service.openStreams().forEach(call -> call.drop(status));
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }
}
