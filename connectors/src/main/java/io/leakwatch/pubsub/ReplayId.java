package io.leakwatch.pubsub;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A position in a Pub/Sub stream. Opaque bytes: never compare or do arithmetic on them beyond
 * equality, because Salesforce promises neither contiguity nor a fixed encoding.
 */
public final class ReplayId {
  private final byte[] bytes;

  private ReplayId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static ReplayId of(ByteString value) {
    return new ReplayId(value.toByteArray());
  }

  public static ReplayId of(byte[] value) {
    return new ReplayId(value.clone());
  }

  public static ReplayId fromHex(String hex) {
    return new ReplayId(HexFormat.of().parseHex(hex));
  }

  public ByteString toByteString() {
    return ByteString.copyFrom(bytes);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReplayId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
