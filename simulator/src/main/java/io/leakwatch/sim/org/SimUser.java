package io.leakwatch.sim.org;

/**
 * A user of the simulated org.
 *
 * @param usesApiClient whether this person works through an API-based tool (so their reads show up
 *     as ApiEvents, the path a bulk export would take)
 */
public record SimUser(String id, String username, Role role, String ip, boolean usesApiClient) {}
