package io.leakwatch.engine;

import io.leakwatch.checkpoint.DurableFile;
import io.leakwatch.pubsub.ReceivedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An optional record of every event processed: topic, replay id and event id per line, forced to
 * disk when a batch completes (so before its checkpoint). Ids only, never payloads. It is how a
 * test, or an investigator, proves no event was skipped.
 */
final class ProcessedJournal implements AutoCloseable {
  private final FileChannel channel;
  private final StringBuilder pending = new StringBuilder();

  ProcessedJournal(Path file) {
    try {
      // A new journal (and folder) exists durably, not only the bytes forced into it.
      DurableFile.createFolders(file.toAbsolutePath().getParent());
      channel = DurableFile.openForAppend(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open processed journal " + file, e);
    }
  }

  void processed(ReceivedEvent event) {
    pending
        .append(event.topic())
        .append(' ')
        .append(event.replayId() == null ? "-" : event.replayId().toHex())
        .append(' ')
        .append(event.eventId())
        .append('\n');
  }

  void force() {
    if (pending.length() == 0) {
      return;
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(false);
      pending.setLength(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write processed journal", e);
    }
  }

  @Override
  public void close() throws IOException {
    force();
    channel.close();
  }
}
