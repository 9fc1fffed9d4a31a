package io.leakwatch.api;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format for tests: every line must be a HELP, a TYPE or a
 * sample of a family whose TYPE came first. Samples are keyed by their text up to the value.
 */
final class PrometheusScrape {
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\")*})? "
              + "(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|\\+Inf|-Inf)");
  private static final Pattern TYPE =
      Pattern.compile(
          "# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");

  final Map<String, Double> samples = new LinkedHashMap<>();
  final Map<String, String> types = new LinkedHashMap<>();

  static PrometheusScrape parse(String text) {
    PrometheusScrape scrape = new PrometheusScrape();
    Set<String> helped = new HashSet<>();
    String current = null;
    int number = 0;
    for (String line : text.split("\n", -1)) {
      number++;
      if (line.isEmpty()) {
        if (number == text.split("\n", -1).length) {
          continue;
        }
        throw new AssertionError("line " + number + " is empty");
      }
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        if (!helped.add(m.group(1))) {
          throw new AssertionError("line " + number + ": second HELP for " + m.group(1));
        }
      } else if ((m = TYPE.matcher(line)).matches()) {
        if (scrape.types.put(m.group(1), m.group(2)) != null) {
          throw new AssertionError("line " + number + ": second TYPE for " + m.group(1));
        }
        current = m.group(1);
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String family =
            m.group(1).equals(current)
                ? current
                : m.group(1).replaceFirst("_(bucket|sum|count)$", "");
        if (!family.equals(current)
            || !(m.group(1).equals(current)
                || "histogram".equals(scrape.types.get(family))
                || "summary".equals(scrape.types.get(family)))) {
          throw new AssertionError(
              "line "
                  + number
                  + ": a sample outside its family's group (after TYPE "
                  + current
                  + "): "
                  + line);
        }
        String key = line.substring(0, line.lastIndexOf(' '));
        if (scrape.samples.put(
                key,
                Double.parseDouble(
                    m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")))
            != null) {
          throw new AssertionError("line " + number + ": duplicate series " + key);
        }
      } else {
        throw new AssertionError("line " + number + " is not Prometheus text: " + line);
      }
    }
    return scrape;
  }

  double value(String series) {
    Double value = samples.get(series);
    if (value == null) {
      throw new AssertionError("no series " + series + " in " + samples.keySet());
    }
    return value;
  }

  double valueOr(String series, double fallback) {
    return samples.getOrDefault(series, fallback);
  }
}
