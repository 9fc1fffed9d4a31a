package io.leakwatch.profile;

import java.util.Set;

/**
 * An integration identity: the user(s) a connected app runs as, and what it declared it would do.
 *
 * @param runWindow when it is expected to work, in the org's time zone
 * @param maxRowsPer5Min the most patient rows it is expected to read in any five minutes
 * @param objects the objects it declared it reads, lower-cased; empty when it declared none
 * @param fields per declared object (lower-cased), the fields it declared it selects (lower-cased)
 * @param downloadsFiles whether it declared that it downloads files (FileEvent API_DOWNLOAD)
 */
public record Integration(
    String name,
    Set<String> userIds,
    Set<String> connectedAppIds,
    TimeWindow runWindow,
    long maxRowsPer5Min,
    Set<String> objects,
    java.util.Map<String, Set<String>> fields,
    boolean downloadsFiles) {}
