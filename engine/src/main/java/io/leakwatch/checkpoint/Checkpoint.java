package io.leakwatch.checkpoint;

import io.leakwatch.pubsub.ReplayId;

/**
 * Where one topic stands, saved only once its events are fully processed and their alerts
 * delivered.
 *
 * @param resumeAfter where a restart subscribes from: far enough back that every window the rules
 *     keep is rebuilt (alerts already delivered are recognized and not sent again), or null to use
 *     the configured start
 * @param lastProcessed the newest event processed, with its event time
 */
public record Checkpoint(
    String topic,
    ReplayId resumeAfter,
    long resumeEventTime,
    ReplayId lastProcessed,
    long lastEventTime) {}
