package io.leakwatch.sim.traffic;

import org.apache.avro.generic.GenericRecord;

/**
 * One event of the simulated org's timeline.
 *
 * @param scenarioId the injected scenario it belongs to, or null for background traffic
 */
public record SimEvent(
    String topic,
    long eventDate,
    String eventIdentifier,
    GenericRecord record,
    String scenarioId) {}
