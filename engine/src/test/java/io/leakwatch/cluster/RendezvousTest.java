package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static List<String> orgs(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("org-" + i);
    }
    return out;
  }

  @Test
  void everyNodeComputesTheSameOwnerWhateverOrderItSeesTheMembersIn() {
    for (String org : orgs(50)) {
      assertEquals(
          Rendezvous.owner(org, List.of("lw-1", "lw-2", "lw-3")),
          Rendezvous.owner(org, List.of("lw-3", "lw-1", "lw-2")));
    }
  }

  @Test
  void orgsSpreadOverTheNodes() {
    Map<String, Integer> counts = new HashMap<>();
    for (String org : orgs(300)) {
      counts.merge(Rendezvous.owner(org, List.of("lw-1", "lw-2", "lw-3")), 1, Integer::sum);
    }
    assertEquals(3, counts.size(), counts.toString());
    counts.values().forEach(c -> assertTrue(c > 70 && c < 130, counts.toString()));
  }

  @Test
  void aNodeLeavingMovesOnlyItsOwnOrgsAndComingBackTakesExactlyThoseBack() {
    List<String> all = List.of("lw-1", "lw-2", "lw-3");
    List<String> without3 = List.of("lw-1", "lw-2");
    int moved = 0;
    for (String org : orgs(300)) {
      String before = Rendezvous.owner(org, all);
      String after = Rendezvous.owner(org, without3);
      if (!before.equals("lw-3")) {
        assertEquals(before, after, org + " moved though its node stayed");
      } else {
        moved++;
      }
    }
    assertTrue(moved > 70 && moved < 130, "moved " + moved);
  }

  @Test
  void noMembersNoOwner() {
    assertEquals(null, Rendezvous.owner("org-1", List.of()));
  }
}
