package io.leakwatch.alert;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The first bytes of a receiver's answer, all a dead letter's reason quotes: reading more would let
 * a receiver that sends without end hold the delivery thread, or fill the heap. Once it has enough
 * it cancels the rest, which closes the connection.
 */
final class AnswerPrefix implements HttpResponse.BodySubscriber<String> {
  private final int limit;
  private final ByteArrayOutputStream read = new ByteArrayOutputStream();
  private final CompletableFuture<String> body = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;

  AnswerPrefix(int limit) {
    this.limit = limit;
  }

  static HttpResponse.BodyHandler<String> handler(int limit) {
    return info -> new AnswerPrefix(limit);
  }

  @Override
  public CompletionStage<String> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      int take = Math.min(buffer.remaining(), limit - read.size());
      byte[] bytes = new byte[take];
      buffer.get(bytes);
      read.writeBytes(bytes);
    }
    if (read.size() >= limit) {
      complete();
      subscription.cancel();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    complete();
  }

  private void complete() {
    body.complete(new String(read.toByteArray(), StandardCharsets.UTF_8)); // bad bytes replaced
  }
}
