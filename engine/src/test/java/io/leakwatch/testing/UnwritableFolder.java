package io.leakwatch.testing;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes new files in a folder impossible to write, as a folder turned read-only does: a read-only
 * bind mount where the machine lets the test mount, else a folder squatting on the name of the file
 * the writer creates (that fails the write even for root, whom permission bits do not stop). Either
 * way the writer meets a real {@link IOException} from the file system.
 */
public final class UnwritableFolder implements AutoCloseable {
  private final Path dir;
  private final Mounts mounts;
  private final Path squatter;

  private UnwritableFolder(Path dir, Mounts mounts, Path squatter) {
    this.dir = dir;
    this.mounts = mounts;
    this.squatter = squatter;
  }

  /**
   * @param created the file the writer under test creates in {@code dir} (a save's temporary file),
   *     squatted on where no mount is possible
   */
  public static UnwritableFolder make(Path dir, String created) throws IOException {
    if (Mounts.available(dir.getParent())) {
      Mounts mounts = new Mounts();
      mounts.readOnly(dir);
      return new UnwritableFolder(dir, mounts, null);
    }
    Path squatter = dir.resolve(created);
    for (int attempt = 1; ; attempt++) {
      try {
        // The writer may be between creating its file and renaming it: take the name from it.
        Files.deleteIfExists(squatter);
        Files.createDirectory(squatter);
        break;
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        if (attempt == 50) {
          throw raced;
        }
      }
    }
    Files.writeString(squatter.resolve("keep"), "a folder where a file is written");
    return new UnwritableFolder(dir, null, squatter);
  }

  /** How the fault was made, for the test's printed figures. */
  public String how() {
    return mounts != null ? "read-only bind mount" : "folder squatting on " + squatter;
  }

  /** Writable again. */
  public void clear() throws IOException {
    if (mounts != null) {
      mounts.unmount(dir);
    } else if (Files.exists(squatter)) {
      Files.delete(squatter.resolve("keep"));
      Files.delete(squatter);
    }
  }

  @Override
  public void close() throws IOException {
    if (mounts != null) {
      mounts.close();
    } else {
      clear();
    }
  }
}
