package io.leakwatch.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Replaces a small state file so that a crash at any moment leaves either the old or the new
 * content, never a torn one: write a temporary file, force it to disk, rename it over the old one,
 * force the folder.
 */
public final class DurableFile {
  private static volatile Consumer<Path> folderForced = dir -> {};

  private DurableFile() {}

  /**
   * Tells {@code watcher} of each folder forced from now on: only tests can see that a new file's
   * name was made durable, not merely its bytes.
   */
  public static void onFolderForced(Consumer<Path> watcher) {
    folderForced = watcher == null ? dir -> {} : watcher;
  }

  /**
   * Creates {@code dir} and any missing parents, forcing each new folder's parent, so the folders a
   * new file is put in survive a power loss along with it.
   */
  public static void createFolders(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    Files.createDirectories(absolute);
    for (Path created : missing) {
      forceFolder(created.getParent());
    }
  }

  /**
   * Opens {@code file} for appending, creating it if need be; a file created is made to exist
   * durably (its folder forced), not only its bytes.
   */
  public static FileChannel openForAppend(Path file) throws IOException {
    boolean created = !Files.exists(file);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    if (created) {
      forceFolder(file.toAbsolutePath().getParent());
    }
    return channel;
  }

  /**
   * Deletes {@code file} if it exists, durably: a delete, like a new name, is recorded in the
   * folder, and a power loss could otherwise bring the file back.
   *
   * @return whether there was a file to delete
   */
  public static boolean delete(Path file) throws IOException {
    boolean deleted = Files.deleteIfExists(file);
    // Forced even when the file is already gone: an earlier delete (a crash before its force, or
    // an older version's plain delete) may not be on disk yet.
    Path dir = file.toAbsolutePath().getParent();
    if (Files.isDirectory(dir)) {
      forceFolder(dir);
    }
    return deleted;
  }

  public static void replace(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    createFolders(dir);
    Path temp = dir.resolve(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    forceFolder(dir);
  }

  /**
   * Makes a rename in {@code dir}, or a file created in it, durable: a file's own force does not
   * record its name in the folder. Not every platform lets a folder be opened for this.
   */
  public static void forceFolder(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Best effort: the file contents are already on disk.
    }
    folderForced.accept(dir);
  }
}
