package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamLineageTest {
  private static final RulePack PACK = RulePackLoader.fromDirectory(Path.of("../rules/pack"));
  private static final StreamLineage DEFAULT = StreamLineage.of(PACK);

  @Test
  void readsTheStreamsEachRuleDrawsOnBackThroughInsertedStreams() {
    // LW-003 reads AfterHoursPhiRead, which PhiApiRead (API queries, Reports REST API runs) and
    // PhiRecordView (both UI streams) feed.
    assertEquals(
        List.of("ApiEventStream", "LightningUriEventStream", "ReportEventStream", "UriEventStream"),
        DEFAULT.streams("LW-003"));
    assertEquals(List.of("LoginEventStream"), DEFAULT.streams("LW-005"));
  }

  @Test
  void patternsAndTypesNamedWithoutStreamSuffixAreFollowed() {
    for (var rule : PACK.rules()) {
      assertFalse(DEFAULT.streams(rule.id()).isEmpty(), rule.id() + " names no stream");
      for (String stream : DEFAULT.streams(rule.id())) {
        assertFalse(
            TopicTypes.problem("/event/" + stream) != null,
            rule.id() + " names " + stream + ", not a channel");
      }
    }
  }

  @Test
  void streamOfTypeNamesTheDocumentedChannel() {
    assertEquals("ApiEventStream", TopicTypes.streamOfType("ApiEvent"));
    assertEquals("PermissionSetEvent", TopicTypes.streamOfType("PermissionSetEvent"));
    assertEquals("FileEvent", TopicTypes.streamOfType("FileEvent"));
    assertEquals("MyOwnEvent", TopicTypes.streamOfType("MyOwnEvent"));
  }
}
