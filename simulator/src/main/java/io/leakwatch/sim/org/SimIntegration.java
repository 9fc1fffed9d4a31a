package io.leakwatch.sim.org;

import java.time.LocalTime;

/** A connected app and the integration user it runs as, with what it declares it does. */
public record SimIntegration(
    String name,
    String appName,
    String connectedAppId,
    SimUser user,
    LocalTime runStart,
    LocalTime runEnd,
    long maxRowsPer5Min,
    String egressIp) {}
