package io.leakwatch.sim.org;

import java.util.Random;

/** Makes 18-character Salesforce ids (key prefix, 12 random base-62 characters, case checksum). */
public final class SalesforceIds {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

  private final Random random;

  public SalesforceIds(Random random) {
    this.random = random;
  }

  public String next(String keyPrefix) {
    StringBuilder id = new StringBuilder(keyPrefix);
    while (id.length() < 15) {
      id.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    return withChecksum(id.toString());
  }

  /** The 18-character form of a 15-character id: one suffix letter per five characters' case. */
  public static String withChecksum(String id15) {
    StringBuilder id = new StringBuilder(id15);
    for (int chunk = 0; chunk < 3; chunk++) {
      int bits = 0;
      for (int i = 0; i < 5; i++) {
        char c = id15.charAt(chunk * 5 + i);
        if (c >= 'A' && c <= 'Z') {
          bits |= 1 << i;
        }
      }
      id.append(CHECKSUM.charAt(bits));
    }
    return id.toString();
  }
}
