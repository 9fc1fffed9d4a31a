package io.leakwatch.pubsub;

import com.salesforce.eventbus.protobuf.ReplayPreset;
import java.util.Objects;

/** Where a subscription starts: the tip, the oldest retained event, or just after a replay id. */
public record ReplayStart(ReplayPreset preset, ReplayId after) {
  public ReplayStart {
    Objects.requireNonNull(preset, "preset");
    if (preset == ReplayPreset.CUSTOM && after == null) {
      throw new IllegalArgumentException("CUSTOM replay needs a replay id");
    }
  }

  public static ReplayStart latest() {
    return new ReplayStart(ReplayPreset.LATEST, null);
  }

  public static ReplayStart earliest() {
    return new ReplayStart(ReplayPreset.EARLIEST, null);
  }

  public static ReplayStart after(ReplayId replayId) {
    return new ReplayStart(ReplayPreset.CUSTOM, replayId);
  }

  @Override
  public String toString() {
    return preset == ReplayPreset.CUSTOM ? "CUSTOM after " + after : preset.name();
  }
}
