package io.leakwatch.loginpoll;

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

/** The poll's durable position, and the logins detection took lately. */
class LoginCursorTest {
  @TempDir Path dir;

  @Test
  void savedAndReadBackWithTheLoginsAtItsTime() throws Exception {
    Path file = LoginCursor.file(dir);
    assertNull(LoginCursor.load(file), "no cursor yet");
    Map<String, RecentLogins.Seen> seen = new LinkedHashMap<>();
    seen.put("0Ya000000000001AAA", new RecentLogins.Seen(1_000, RecentLogins.POLL));
    seen.put("0Ya000000000002AAA", new RecentLogins.Seen(1_000, RecentLogins.STREAM));
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
  void whicheverSourceDeliversALoginSecondIsRefusedAndCounted() {
    RecentLogins recent = new RecentLogins();
    assertTrue(recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.STREAM));
    assertFalse(recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.POLL));
    assertTrue(recent.admit("0Ya000000000002AAA", 2_000, RecentLogins.POLL));
    assertFalse(recent.admit("0Ya000000000002AAA", 2_000, RecentLogins.STREAM));
    assertEquals(2, recent.duplicates());
    assertTrue(
        recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.STREAM),
        "a stream replaying its own event after a restart is its at-least-once delivery");
    recent.pruneBefore(1_500);
    assertFalse(recent.contains("0Ya000000000001AAA"));
    assertTrue(recent.contains("0Ya000000000002AAA"));
    assertEquals(1, recent.since(0).size());
  }
}
