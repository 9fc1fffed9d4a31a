package io.leakwatch.alert;

import io.leakwatch.checkpoint.DurableFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code SPOOL/resend-dead-letters}: asks the engine that holds a spool's lock to put the sink's
 * dead letters back into its queue. Only the lock holder touches the queue, so a command run beside
 * a running engine leaves this file and the engine's sink takes it within half a second when idle
 * or waiting to retry, after the send in flight otherwise (up to its timeout), or at its next
 * start, then removes it.
 */
final class ResendRequest {
  static final String FILE = "resend-dead-letters";

  private ResendRequest() {}

  /** Leaves the request, durably. */
  static void ask(Path spoolDir) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            spoolDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    DurableFile.forceFolder(spoolDir);
  }

  static boolean asked(Path spoolDir) {
    return Files.exists(spoolDir.resolve(FILE));
  }

  /**
   * The request is carried out: removed only after the dead letters are back in the queue, and
   * durably, so a power loss cannot bring it back to put back letters refused since, unasked.
   */
  static void done(Path spoolDir) throws IOException {
    DurableFile.delete(spoolDir.resolve(FILE));
  }
}
