package io.leakwatch.checkpoint;

import java.io.IOException;

/**
 * Where one org's learned state (the rules' durable tables and the positions they are consistent
 * with) is kept: a file in its state folder ({@link LearnedStateFile}) or a row in the shared
 * PostgreSQL store. A save replaces the tables and their positions together, atomically.
 */
public interface LearnedStateStore {
  /**
   * The saved state, or null when there is none.
   *
   * @throws LearnedStateFile.UnreadableStateException when what is saved cannot be read
   * @throws IOException when the store cannot be read at all (an unreachable database)
   */
  LearnedState load() throws LearnedStateFile.UnreadableStateException, IOException;

  /**
   * Replaces the saved state with {@code state}, atomically.
   *
   * @throws io.leakwatch.store.FencedOffException when written under a lease this node lost
   */
  void save(LearnedState state) throws IOException;

  /**
   * Copies an unreadable state aside for inspection and says where (the tables start empty). The
   * original stays until the next save replaces it, and that save waits behind the alert that
   * reports the loss: a crash before the alert is delivered finds it again and reports it again.
   */
  String keepCopy() throws IOException;

  /** Where it lives, for logs; never a password. */
  String describe();
}
