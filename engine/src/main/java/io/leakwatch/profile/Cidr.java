package io.leakwatch.profile;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network in CIDR notation, e.g. {@code 203.0.113.0/24}. */
public final class Cidr {
  private final String text;
  private final byte[] network;
  private final int prefix;

  private Cidr(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses a CIDR; a bare address means a single host. */
  public static Cidr parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] address = literalAddress(host);
    if (address == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + text + "' has a prefix length that is not a number");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
      }
    }
    return new Cidr(trimmed, mask(address, prefix), prefix);
  }

  /**
   * Whether {@code ip} (a literal address) lies in this network. Anything unparseable is outside.
   */
  public boolean contains(String ip) {
    byte[] address = ip == null ? null : literalAddress(ip.trim());
    if (address == null || address.length != network.length) {
      return false;
    }
    byte[] masked = mask(address, prefix);
    return java.util.Arrays.equals(masked, network);
  }

  /** Whether {@code text} is a literal IPv4 or IPv6 address (never resolved). */
  public static boolean isLiteralAddress(String text) {
    return text != null && literalAddress(text) != null;
  }

  /** Parses only literal addresses: never a DNS lookup, whatever an event's SourceIp holds. */
  static byte[] literalAddress(String host) {
    if (host.isEmpty()) {
      return null;
    }
    boolean ipv4 = host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    if (ipv4) {
      String[] parts = host.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) {
          return null;
        }
        int value = Integer.parseInt(parts[i]);
        if (value > 255) {
          return null;
        }
        out[i] = (byte) value;
      }
      return out;
    }
    if (host.indexOf(':') < 0
        || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return null;
    }
    try {
      return InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
