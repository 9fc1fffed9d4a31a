package io.leakwatch.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The learned state of one org on disk: the durable tables and the positions they are consistent
 * with, in one file replaced atomically, so a crash leaves the previous state or the new one. The
 * form is {@link LearnedStateJson}'s.
 */
public final class LearnedStateFile implements LearnedStateStore {

  private final Path file;

  public LearnedStateFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  @Override
  public void save(LearnedState state) throws IOException {
    DurableFile.replace(file, LearnedStateJson.write(state));
  }

  /** The saved state, or null when there is none; throws when the file is not one. */
  @Override
  public LearnedState load() throws UnreadableStateException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return LearnedStateJson.read(Files.readAllBytes(file));
    } catch (IOException | IllegalArgumentException e) {
      throw new UnreadableStateException(
          file
              + ": unreadable learned state: "
              + (e instanceof IOException ? e.getClass().getSimpleName() + ": " : "")
              + e.getMessage());
    }
  }

  @Override
  public String keepCopy() throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
    Files.copy(file, aside);
    return aside.toString();
  }

  @Override
  public String describe() {
    return file.toString();
  }

  /** Moves an unreadable file aside so it can be inspected, and returns where it went. */
  public Path quarantine() throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
    Files.move(file, aside);
    return aside;
  }

  /** A learned-state file that exists but cannot be read. */
  public static final class UnreadableStateException extends Exception {
    public UnreadableStateException(String message) {
      super(message);
    }
  }
}
