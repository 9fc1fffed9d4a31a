package io.leakwatch.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LoginHistory poll's durable position. */
class LoginCursorTest {
  @TempDir Path dir;

  @Test
  void savedAndReadBackWithTheLoginsAtItsTime() throws Exception {
    Path file = LoginCursor.file(dir);
    assertNull(LoginCursor.load(file), "no cursor yet");
    Map<String, SeenLogin> seen = new LinkedHashMap<>();
    seen.put("0Ya000000000001AAA", new SeenLogin(1_000, SeenLogin.POLL));
    seen.put("0Ya000000000002AAA", new SeenLogin(1_000, SeenLogin.STREAM));
    new LoginCursor(1_000, seen).save(file);
    LoginCursor back = LoginCursor.load(file);
    assertEquals(1_000, back.readUpTo());
    assertEquals(seen, back.seen());
    assertFalse(Files.exists(dir.resolve("loginhistory-cursor.json.tmp")), "renamed into place");
  }

  @Test
  void anUnreadableCursorSaysWhyAndCanBeMovedAside() throws Exception {
    Path file = LoginCursor.file(dir);
    Files.writeString(file, "{\"version\": 1, \"readUpTo\": \"soon\"}");
    IOException e = assertThrows(IOException.class, () -> LoginCursor.load(file));
    assertTrue(e.getMessage().endsWith("readUpTo is not an instant"), e.getMessage());
    Path aside = LoginCursor.quarantine(file);
    assertTrue(Files.exists(aside));
    assertNull(LoginCursor.load(file));
  }

  @Test
  void savedWithTheLearnedStateItIsConsistentWithAndAbsentFromOneWithoutThePoll() throws Exception {
    LearnedStateFile file = new LearnedStateFile(dir.resolve("learned-state.json"));
    LoginCursor cursor =
        new LoginCursor(5_000, Map.of("0Ya000000000001AAA", new SeenLogin(4_000, SeenLogin.POLL)));
    file.save(new LearnedState(6_000, 1_000, Map.of(), Map.of(), cursor));
    assertEquals(cursor, file.load().loginHistory());
    file.save(new LearnedState(6_000, 1_000, Map.of(), Map.of()));
    assertNull(file.load().loginHistory(), "the poll resumes from its cursor file then");
  }
}
