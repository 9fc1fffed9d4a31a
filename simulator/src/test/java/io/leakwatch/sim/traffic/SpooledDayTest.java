package io.leakwatch.sim.traffic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day spooled a block of people at a time is the day generated whole: same events, same order.
 */
class SpooledDayTest {
  private static final LocalDate DATE = LocalDate.of(2026, 3, 10);

  @TempDir Path dir;

  @Test
  void aDayGeneratedInBlocksHasTheEventsAndOrderOfTheWholeDay() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(7, 400);
    EventSchemas schemas = EventSchemas.standard();
    List<SimEvent> whole = Scenarios.day(org, DATE, Scenarios.all()).events();

    List<SpooledDay.Event> streamed = new ArrayList<>();
    int[] slices = {0};
    try (SpooledDay day = SpooledDay.in(dir, schemas)) {
      // 37 does not divide 400: the last block is a short one.
      day.addBackground(new TrafficGenerator(org), org.people().size(), DATE, 37);
      day.addAll(Scenarios.staged(org, DATE, Scenarios.all()).events());
      assertEquals(whole.size(), day.size());
      day.forEachSlice(
          slice -> {
            slices[0]++;
            streamed.addAll(slice);
          });
      assertThrows(IllegalStateException.class, () -> day.add(whole.get(0)));
    }

    assertTrue(slices[0] > 20, "a working day spans many quarter hours: " + slices[0]);
    assertEquals(whole.size(), streamed.size());
    for (int i = 0; i < whole.size(); i++) {
      SimEvent expected = whole.get(i);
      SpooledDay.Event actual = streamed.get(i);
      assertEquals(expected.eventIdentifier(), actual.eventIdentifier(), "event " + i);
      assertEquals(expected.topic(), actual.topic());
      assertEquals(expected.eventDate(), actual.eventDate());
      var published = schemas.asPublished(expected);
      assertEquals(schemas.idOf(published.getSchema()), actual.schemaId());
      assertArrayEquals(EventSchemas.encode(published), actual.payload(), "payload of event " + i);
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "closing the spool deletes its files");
    }
  }
}
