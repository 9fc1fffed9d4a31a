package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.PublishRequest;
import com.salesforce.eventbus.protobuf.PublishResponse;
import com.salesforce.eventbus.protobuf.PublishResult;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.binding.AuthSettings;
import io.leakwatch.binding.ConfigBinder;
import io.leakwatch.binding.ConfigException;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.pubsub.AuthHeaders;
import io.leakwatch.pubsub.PubSubClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform-event sink signs in as the orgs do: its {@code auth:} takes an OAuth flow, whose
 * token comes from a real HTTP token endpoint, is sent on every Pub/Sub call, and is fetched again
 * when the server rejects it.
 */
class PlatformEventOAuthTest {
  private static final String TOPIC = "/event/Leakwatch_Alert__e";
  private static final String ORG_ID = "00D000000000001AAA";
  private static final String SCHEMA =
      """
      {"type": "record", "name": "Leakwatch_Alert__e", "namespace": "com.sforce.eventbus", "fields": [
        {"name": "CreatedDate", "type": "long"},
        {"name": "CreatedById", "type": "string"},
        {"name": "Alert_Id__c", "type": ["null", "string"], "default": null},
        {"name": "Rule_Id__c", "type": ["null", "string"], "default": null}
      ]}""";

  @TempDir Path dir;

  private HttpServer oauth;
  private final AtomicInteger issued = new AtomicInteger();
  private final List<String> grants = new CopyOnWriteArrayList<>();
  private volatile int tokenStatus = 200;

  private Server pubsub;
  private ManagedChannel channel;
  private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> rejectToken = new AtomicReference<>();

  @BeforeEach
  void servers() throws Exception {
    oauth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    oauth.createContext(
        "/services/oauth2/token",
        exchange -> {
          String form =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          grants.add(URLDecoder.decode(form, StandardCharsets.UTF_8));
          if (tokenStatus != 200) {
            answer(exchange, tokenStatus, "{\"error\":\"invalid_client\"}");
            return;
          }
          answer(
              exchange,
              200,
              "{\"access_token\":\"tok-"
                  + issued.incrementAndGet()
                  + "\",\"instance_url\":\""
                  + loginUrl()
                  + "\"}");
        });
    oauth.createContext(
        "/services/oauth2/userinfo",
        exchange -> answer(exchange, 200, "{\"organization_id\":\"" + ORG_ID + "\"}"));
    oauth.start();

    String name = InProcessServerBuilder.generateName();
    ServerInterceptor tokens =
        new ServerInterceptor() {
          @Override
          public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
              io.grpc.ServerCall<Q, R> call,
              Metadata headers,
              io.grpc.ServerCallHandler<Q, R> next) {
            String token = headers.get(AuthHeaders.ACCESS_TOKEN);
            tokensSeen.add(token + " " + headers.get(AuthHeaders.TENANT_ID));
            if (token.equals(rejectToken.get())) {
              call.close(Status.UNAUTHENTICATED.withDescription("session expired"), new Metadata());
              return new io.grpc.ServerCall.Listener<>() {};
            }
            return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
          }
        };
    pubsub =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new AlertTopic(), tokens))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    pubsub.shutdownNow();
    oauth.stop(0);
  }

  private String loginUrl() {
    return "http://127.0.0.1:" + oauth.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The sink's auth: mapping, bound exactly as the configuration file's is. */
  private TokenSource clientCredentials() throws Exception {
    var node =
        new ObjectMapper(new YAMLFactory())
            .readTree(
                "{type: clientCredentials, loginUrl: '"
                    + loginUrl()
                    + "', clientId: leakwatch-app, clientSecret: '${SINK_SECRET}'}");
    String at = "alerts.salesforce[0].auth";
    return ConfigBinder.bind(
            ConfigBinder.substitute(node, "c.yaml", at, Map.of("SINK_SECRET", "s3cret-value")),
            AuthSettings.class,
            "c.yaml",
            at)
        .tokens(new ConfigSource("c.yaml", dir), at);
  }

  @Test
  void publishesWithAnOAuthTokenAndFetchesANewOneWhenItIsRejected() throws Exception {
    TokenSource tokens = clientCredentials();
    assertTrue(grants.isEmpty(), "no sign-in until the first alert");
    try (PlatformEventTransport transport =
        new PlatformEventTransport(
            new PubSubClient(channel, () -> tokens.current().credentials()),
            tokens,
            TOPIC,
            Clock.systemUTC())) {
      String alert = AlertJson.toJson(TestAlerts.alert("oauth-1"));
      assertInstanceOf(DeliveryOutcome.Delivered.class, transport.send("k1", alert));
      assertEquals(1, grants.size());
      assertTrue(grants.get(0).contains("grant_type=client_credentials"), grants.get(0));
      assertTrue(grants.get(0).contains("client_secret=s3cret-value"), grants.get(0));
      assertTrue(
          tokensSeen.stream().allMatch(t -> t.equals("tok-1 " + ORG_ID)), tokensSeen.toString());

      rejectToken.set("tok-1");
      DeliveryOutcome rejected = transport.send("k2", alert);
      assertInstanceOf(DeliveryOutcome.Retry.class, rejected);
      assertEquals(2, grants.size(), "the rejection fetched a new token");
      assertInstanceOf(DeliveryOutcome.Delivered.class, transport.send("k2", alert));
      assertTrue(tokensSeen.get(tokensSeen.size() - 1).startsWith("tok-2 "), tokensSeen.toString());
    }
  }

  @Test
  void aTokenEndpointThatRefusesIsRetriedWithItsReason() throws Exception {
    tokenStatus = 401;
    TokenSource tokens = clientCredentials();
    try (PlatformEventTransport transport =
        new PlatformEventTransport(
            new PubSubClient(channel, () -> tokens.current().credentials()),
            tokens,
            TOPIC,
            Clock.systemUTC())) {
      DeliveryOutcome outcome = transport.send("k1", AlertJson.toJson(TestAlerts.alert("oauth-2")));
      DeliveryOutcome.Retry retry = assertInstanceOf(DeliveryOutcome.Retry.class, outcome);
      assertTrue(retry.reason().contains("sign-in failed"), retry.reason());
      assertTrue(retry.reason().contains("invalid_client"), retry.reason());
      assertFalse(retry.reason().contains("s3cret-value"), "never the secret: " + retry.reason());
      assertTrue(tokensSeen.isEmpty(), "nothing reached Pub/Sub without a token");
    }
  }

  @Test
  void theSinkSectionTakesEveryAuthKindOfAnOrg() throws Exception {
    var yaml = new ObjectMapper(new YAMLFactory());
    String sink =
        "salesforce: [{endpoint: {host: 127.0.0.1, port: 7443}, auth: %s, topic: "
            + TOPIC
            + ", spool: spool}]";
    List<AlertSink> sinks =
        SinkConfig.parse(
            yaml.readTree(
                sink.formatted(
                    "{type: clientCredentials, loginUrl: '"
                        + loginUrl()
                        + "', clientId: c, clientSecret: '${S}'}")),
            "c.yaml",
            dir,
            Map.of("S", "secret"),
            System.out);
    try {
      assertEquals(2, sinks.size());
      assertEquals("salesforce[0]", ((SpooledAlertSink) sinks.get(1)).name());
    } finally {
      for (AlertSink s : sinks) {
        s.close();
      }
    }
    String jwt =
        org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () ->
                    SinkConfig.parse(
                        yaml.readTree(
                            sink.formatted(
                                "{type: jwt, loginUrl: u, clientId: c, username: u, privateKey: none.pem}")),
                        "c.yaml",
                        dir,
                        Map.of()))
            .getMessage();
    assertTrue(jwt.startsWith("c.yaml: alerts.salesforce[0].auth.privateKey: file "), jwt);
  }

  /** GetTopic, GetSchema and Publish of one custom platform event. */
  private static final class AlertTopic extends PubSubGrpc.PubSubImplBase {
    @Override
    public void getTopic(TopicRequest request, StreamObserver<TopicInfo> out) {
      out.onNext(
          TopicInfo.newBuilder()
              .setTopicName(request.getTopicName())
              .setCanPublish(true)
              .setSchemaId("schema-1")
              .build());
      out.onCompleted();
    }

    @Override
    public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> out) {
      out.onNext(SchemaInfo.newBuilder().setSchemaId("schema-1").setSchemaJson(SCHEMA).build());
      out.onCompleted();
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> out) {
      PublishResponse.Builder response = PublishResponse.newBuilder();
      request
          .getEventsList()
          .forEach(
              e -> response.addResults(PublishResult.newBuilder().setCorrelationKey(e.getId())));
      out.onNext(response.build());
      out.onCompleted();
    }
  }
}
