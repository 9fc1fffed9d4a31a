package io.leakwatch.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): each family's HELP and TYPE once,
 * then its samples. Label values are escaped; names are the caller's constants.
 */
public final class PrometheusText {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder();
  private final Map<String, String> declared = new LinkedHashMap<>();

  /** Declares a family (counter, gauge, histogram); later calls with the same name are ignored. */
  public PrometheusText family(String name, String type, String help) {
    if (declared.putIfAbsent(name, type) == null) {
      out.append("# HELP ")
          .append(name)
          .append(' ')
          .append(help.replace("\\", "\\\\").replace("\n", "\\n"))
          .append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    return this;
  }

  /** One sample; {@code labels} alternate name and value. */
  public PrometheusText sample(String name, double value, String... labels) {
    out.append(name);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(number(value)).append('\n');
    return this;
  }

  /** The _bucket, _sum and _count samples of a histogram family. */
  public PrometheusText histogram(
      String name, LatencyHistogram.Snapshot snapshot, String... labels) {
    double[] bounds = snapshot.boundsSeconds();
    for (int i = 0; i <= bounds.length; i++) {
      String le = i < bounds.length ? number(bounds[i]) : "+Inf";
      String[] withLe = java.util.Arrays.copyOf(labels, labels.length + 2);
      withLe[labels.length] = "le";
      withLe[labels.length + 1] = le;
      sample(name + "_bucket", snapshot.cumulative()[i], withLe);
    }
    sample(name + "_sum", snapshot.sumSeconds(), labels);
    sample(name + "_count", snapshot.count(), labels);
    return this;
  }

  private static String escape(String value) {
    return String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
