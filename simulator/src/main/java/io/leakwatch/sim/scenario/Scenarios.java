package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The scenario library, and the timeline of a simulated day with scenarios injected. */
public final class Scenarios {
  private Scenarios() {}

  public static List<Scenario> all() {
    return List.of(new BulkExportByPerson(), new StolenIntegrationToken(), new AfterHoursChartBrowsing(),
        new PermissionGrantToIntegration(), new EtlPasswordLogin(), new CopiedIntegrationSession(), new PatientReportExport(),
        new BulkTableExtraction(), new DebugLogHarvest(), new ExternalRecordBrowsing(), new IntegrationScopeCreep(),
        new HijackedSessionReadsPatients(), new LoginFromNewCountry(), new ChunkedSlowExfiltration(),
        new PatientListViewExport());
  }

  /**
   * Scenarios whose rule learns from history kept in the engine's memory (a baseline, earlier
   * logins): a restart in the middle of them relearns from scratch, so crash tests leave them out.
   */
  public static boolean needsLearnedHistory(Scenario scenario) {
    return scenario instanceof LoginFromNewCountry || scenario instanceof ChunkedSlowExfiltration;
  }

  public static Scenario byId(String id) {
    return all().stream().filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no scenario '" + id + "' (known: "
            + all().stream().map(Scenario::id).toList() + ")"));
  }

  /** A day's background traffic with {@code scenarios} staged in it, sorted by event time. */
  public record Timeline(List<SimEvent> events, List<InjectedScenario> injected) {}

  public static Timeline day(SimulatedOrg org, LocalDate date, List<Scenario> scenarios) {
    List<SimEvent> events = new ArrayList<>(new TrafficGenerator(org).day(date));
    List<InjectedScenario> injected = new ArrayList<>();
    int n = 0;
    for (Scenario scenario : scenarios) {
      List<SimEvent> staged = scenario.events(org, date, new Random(org.seed() * 131 + date.toEpochDay() * 1_000_033L + n++ * 7_777L + scenario.id().hashCode()));
      Set<String> ids = new LinkedHashSet<>();
      staged.forEach(e -> ids.add(e.eventIdentifier()));
      long first = scenario.leakStart(staged);
      injected.add(new InjectedScenario(scenario.id(), scenario.title(), scenario.expectedRules(), ids, first));
      events.addAll(staged);
    }
    events.sort(TrafficGenerator::byTime);
    return new Timeline(List.copyOf(events), List.copyOf(injected));
  }
}
