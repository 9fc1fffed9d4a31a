package io.leakwatch.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which node should own an org: rendezvous (highest random weight) hashing of org × node name.
 * Every node computes the same answer from the same member list without talking to the others, and
 * when a node joins or leaves only the orgs it wins or held move (about 1/N of them).
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** The node among {@code nodes} that should own {@code org}, or null when there are none. */
  public static String owner(String org, Collection<String> nodes) {
    String best = null;
    long bestWeight = 0;
    for (String node : nodes) {
      long weight = weight(org, node);
      if (best == null
          || Long.compareUnsigned(weight, bestWeight) > 0
          || (weight == bestWeight && node.compareTo(best) < 0)) {
        best = node;
        bestWeight = weight;
      }
    }
    return best;
  }

  /** The orgs of {@code orgs} that {@code node} should own when {@code nodes} are up. */
  public static Set<String> ownedBy(String node, List<String> orgs, Collection<String> nodes) {
    Set<String> out = new TreeSet<>();
    for (String org : orgs) {
      if (node.equals(owner(org, nodes))) {
        out.add(org);
      }
    }
    return out;
  }

  /** 64-bit FNV-1a of the pair, then a finaliser so similar names spread (SplitMix64). */
  static long weight(String org, String node) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (org + '\0' + node).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
