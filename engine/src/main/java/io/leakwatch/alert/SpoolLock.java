package io.leakwatch.alert;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on {@code SPOOL/lock}, held while a sink has its spool open: two sinks, or two
 * engines, draining one spool would finish each other's alerts. The operating system releases it
 * when the process ends, so a crash leaves nothing to clean up.
 */
final class SpoolLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolLock.class);
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
    return take(dir, SpoolLockWait.NONE);
  }

  /**
   * Takes the lock, trying again after each of {@code wait}'s pauses while another process holds it
   * (the resend command holds it only while it loads the spool); a sink of this process that holds
   * it fails at once, as it holds it for good.
   */
  static SpoolLock take(Path dir, SpoolLockWait wait) throws IOException {
    for (int attempt = 1; ; attempt++) {
      SpoolLock taken = tryTake(dir);
      if (taken != null) {
        return taken;
      }
      if (attempt >= wait.tries()) {
        throw new HeldElsewhere(
            "the spool folder is locked by another process (is an engine with this configuration"
                + " already running?); only one sink of one engine may use a spool folder"
                + (wait.tries() > 1
                    ? "; waited "
                        + wait.total().toMillis() / 1000.0
                        + " s for it (`leakwatch alerts resend-dead-letters` holds it only while it"
                        + " puts dead letters back)"
                    : ""));
      }
      if (attempt == 1) {
        LOG.info(
            "spool {}: locked by another process (the resend command?); waiting up to {} s for it",
            dir,
            wait.total().toMillis() / 1000.0);
      }
      try {
        wait.pause().pause(wait.between());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for the spool lock in " + dir);
      }
    }
  }

  /** The lock, or null when another process holds it. */
  private static SpoolLock tryTake(Path dir) throws IOException {
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
      return null;
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
