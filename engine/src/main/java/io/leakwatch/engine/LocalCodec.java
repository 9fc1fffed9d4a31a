package io.leakwatch.engine;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes typed messages by reference on the local event bus. Leakwatch's messages never leave the
 * JVM, so they have no wire form.
 */
final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  LocalCodec(Class<T> type) {
    this.type = type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is a local-only message");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is a local-only message");
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return "local:" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
