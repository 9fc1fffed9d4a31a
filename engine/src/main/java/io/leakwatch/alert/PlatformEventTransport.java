package io.leakwatch.alert;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ErrorCode;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.PublishResponse;
import com.salesforce.eventbus.protobuf.PublishResult;
import com.salesforce.eventbus.protobuf.TopicInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.leakwatch.auth.AuthException;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.pubsub.SchemaCache;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Publishes alerts back into Salesforce as platform events through the Pub/Sub Publish RPC. The
 * topic's schema comes from GetTopic and GetSchema (fetched again when the topic's schema id
 * changes); the payload is a plain Avro binary datum of that schema, filled by field name from
 * {@link PlatformEventFields}. The event id is derived from the delivery key, so a retry carries
 * the same id.
 *
 * <p>Outcomes: an event's own {@code PublishResult} error of code PUBLISH (read-only topic, schema
 * or field rejected) is dead; other per-event errors are retried. RPC failures: UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL and UNKNOWN are retried; UNAUTHENTICATED
 * refreshes the token and is retried; the rest (NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT, …)
 * are dead. Sign-in is the org's kind ({@link io.leakwatch.binding.AuthSettings}): a static token,
 * or an OAuth flow whose token is fetched at the first send and again after a rejection; a token
 * endpoint that fails is retried, with its reason, like any other outage.
 */
public final class PlatformEventTransport implements DeliveryTransport {
  private static final Set<Status.Code> TRANSIENT =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED,
          Status.Code.INTERNAL,
          Status.Code.UNKNOWN);

  private final PubSubClient client;
  private final TokenSource tokens;
  private final String topic;
  private final Clock clock;

  /**
   * @param tokens refreshed when the server rejects the token; may be null
   */
  public PlatformEventTransport(
      PubSubClient client, TokenSource tokens, String topic, Clock clock) {
    this.client = client;
    this.tokens = tokens;
    this.topic = topic;
    this.clock = clock;
  }

  @Override
  public DeliveryOutcome send(String deliveryKey, String alertJson) {
    try {
      // can_publish is not checked up front: the server's per-event answer says why, and is what
      // counts.
      TopicInfo info = client.topic(topic);
      Schema schema = client.schemas().get(info.getSchemaId());
      byte[] payload = encode(PlatformEventFields.record(schema, alertJson, clock.millis()));
      String eventId =
          UUID.nameUUIDFromBytes(deliveryKey.getBytes(StandardCharsets.UTF_8)).toString();
      PublishResponse response =
          client.publish(
              topic,
              List.of(
                  ProducerEvent.newBuilder()
                      .setId(eventId)
                      .setSchemaId(info.getSchemaId())
                      .setPayload(ByteString.copyFrom(payload))
                      .build()));
      PublishResult result =
          response.getResultsList().stream()
              .filter(r -> r.getCorrelationKey().equals(eventId))
              .findFirst()
              .orElse(response.getResultsCount() == 1 ? response.getResults(0) : null);
      if (result == null) {
        return DeliveryOutcome.retry("PublishResponse carried no result for event " + eventId);
      }
      if (!result.hasError()) {
        return DeliveryOutcome.delivered();
      }
      String reason =
          "PublishResult error " + result.getError().getCode() + ": " + result.getError().getMsg();
      return result.getError().getCode() == ErrorCode.PUBLISH
          ? new DeliveryOutcome.Dead(reason)
          : DeliveryOutcome.retry(reason);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      String reason = "Pub/Sub " + PubSubErrors.describe(e);
      if (code == Status.Code.UNAUTHENTICATED && tokens != null) {
        try {
          tokens.refresh();
        } catch (AuthException refresh) {
          return DeliveryOutcome.retry(reason + "; token refresh failed: " + refresh.getMessage());
        }
        return DeliveryOutcome.retry(reason);
      }
      return TRANSIENT.contains(code) || code == Status.Code.UNAUTHENTICATED
          ? DeliveryOutcome.retry(reason)
          : new DeliveryOutcome.Dead(reason);
    } catch (AuthException e) {
      // The token endpoint failed or refused (the credentials supplier runs at each call's start).
      return DeliveryOutcome.retry("sign-in failed: " + e.getMessage());
    } catch (SchemaCache.UnknownSchemaException e) {
      return DeliveryOutcome.retry(e.getMessage());
    } catch (PlatformEventFields.UnfillableSchemaException | IOException e) {
      return new DeliveryOutcome.Dead(e.getMessage());
    }
  }

  private static byte[] encode(GenericData.Record record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericData.Record>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Override
  public void close() {
    client.close();
  }
}
