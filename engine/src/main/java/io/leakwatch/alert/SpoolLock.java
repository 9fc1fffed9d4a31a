package io.leakwatch.alert;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code SPOOL/lock}, held while a sink has its spool open: two sinks, or two
 * engines, draining one spool would finish each other's alerts. The operating system releases it
 * when the process ends, so a crash leaves nothing to clean up.
 */
final class SpoolLock implements AutoCloseable {
  static final String FILE = "lock";

  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The spool is open in another sink or process: only that one may touch its queue. */
  static final class HeldElsewhere extends IOException {
    HeldElsewhere(String message) {
      super(message);
    }
  }

  /** Takes the lock of the spool folder {@code dir}, or throws saying who holds it. */
  static SpoolLock take(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new HeldElsewhere(
          "the spool folder is already open for another sink in this process; each sink needs a"
              + " spool folder of its own");
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new HeldElsewhere(
          "the spool folder is locked by another process (is an engine with this configuration"
              + " already running?); only one sink of one engine may use a spool folder");
    }
    return new SpoolLock(channel, lock);
  }

  /** Releases the lock; again is a no-op (a sink may be closed by the engine and its owner). */
  @Override
  public void close() throws IOException {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
