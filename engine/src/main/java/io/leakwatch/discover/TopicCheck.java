package io.leakwatch.discover;

import com.salesforce.eventbus.protobuf.TopicInfo;
import io.grpc.Status;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the Pub/Sub API (GetTopic) whether each Real-Time Event Monitoring channel can be subscribed
 * to. A channel whose event is not enabled for streaming answers like a missing topic.
 */
public final class TopicCheck {
  /**
   * One channel's answer.
   *
   * @param problem null when it can be subscribed to, else what GetTopic said
   */
  public record Result(String topic, boolean ready, String problem) {}

  /** The permission a subscriber needs for RTEM channels. */
  public static final String PERMISSION = "View Real-Time Event Monitoring Data";

  private TopicCheck() {}

  public static List<Result> check(PubSubClient client, List<String> topics) {
    List<Result> out = new ArrayList<>();
    for (String topic : topics) {
      try {
        TopicInfo info = client.topic(topic);
        out.add(
            info.getCanSubscribe()
                ? new Result(topic, true, null)
                : new Result(topic, false, "the topic exists but this user may not subscribe"));
      } catch (RuntimeException e) {
        Status.Code code = Status.fromThrowable(e).getCode();
        String problem =
            switch (code) {
              case NOT_FOUND, INVALID_ARGUMENT ->
                  "not enabled for streaming, or not visible to this user ("
                      + PubSubErrors.describe(e)
                      + ")";
              case PERMISSION_DENIED ->
                  "this user may not read it (" + PubSubErrors.describe(e) + ")";
              case UNAUTHENTICATED ->
                  "the credentials were refused (" + PubSubErrors.describe(e) + ")";
              default -> "could not be checked: " + PubSubErrors.describe(e);
            };
        out.add(new Result(topic, false, problem));
      }
    }
    return out;
  }

  /** What a person does in Setup to turn on the event behind {@code topic}. */
  public static String howToEnable(String topic) {
    String event = topic.startsWith("/event/") ? topic.substring(7) : topic;
    String stored = event.endsWith("Stream") ? event.substring(0, event.length() - 6) : event;
    return "Setup > Event Manager > "
        + stored
        + " > Enable Streaming (and Enable Storing, for the history discovery reads); the"
        + " integration user needs the \""
        + PERMISSION
        + "\" permission";
  }
}
