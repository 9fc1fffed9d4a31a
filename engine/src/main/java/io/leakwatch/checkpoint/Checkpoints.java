package io.leakwatch.checkpoint;

import java.io.IOException;
import java.util.Map;

/**
 * Where one org's checkpoint (every topic's position) is kept: a file in its state folder ({@link
 * CheckpointStore}) or rows in the shared PostgreSQL store. A save replaces the whole checkpoint at
 * once: a crash leaves the old one or the new one, never half of one.
 */
public interface Checkpoints {
  /**
   * Saved positions by topic, empty when there is none yet; a topic whose entry is unreadable is
   * listed in {@link CheckpointStore.Loaded#unreadable()} and the others are kept.
   *
   * @throws CheckpointStore.CorruptCheckpointException when the checkpoint as a whole is unreadable
   * @throws IOException when the store cannot be read at all (an unreachable database)
   */
  CheckpointStore.Loaded loadEach() throws CheckpointStore.CorruptCheckpointException, IOException;

  /**
   * Replaces the checkpoint with {@code checkpoints}, atomically.
   *
   * @throws io.leakwatch.store.FencedOffException when written under a lease this node lost
   */
  void save(Map<String, Checkpoint> checkpoints) throws IOException;

  /** Keeps a copy of the checkpoint as it is, for inspection; says where. */
  String keepCopy() throws IOException;

  /** Where it lives, for logs; never a password. */
  String describe();
}
