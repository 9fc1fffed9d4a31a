package io.leakwatch.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real file-system faults for tests: a tiny tmpfs that fills up, a folder made read-only by a
 * read-only bind mount over it (root ignores permission bits, a mount it cannot). Needs mount
 * rights; {@link #available(Path)} says whether this machine grants them (never while
 * LEAKWATCH_TEST_NO_MOUNTS is set, to try the fallbacks). Shared by every module's tests through
 * the engine's test-jar.
 */
public final class Mounts implements AutoCloseable {
  private final List<Path> mounted = new ArrayList<>();

  public static boolean available(Path scratch) {
    if (System.getenv("LEAKWATCH_TEST_NO_MOUNTS") != null) {
      return false; // proves the fallbacks on a machine that could mount
    }
    try (Mounts probe = new Mounts()) {
      Path dir = scratch.resolve("mount-probe");
      java.nio.file.Files.createDirectories(dir);
      probe.tmpfs(dir, 16 * 1024);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Mounts a tmpfs of {@code bytes} at {@code dir} (which must exist). */
  public void tmpfs(Path dir, long bytes) throws IOException {
    run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
    mounted.add(0, dir);
  }

  /** Makes {@code dir} read-only for new files and renames; files already open stay writable. */
  public void readOnly(Path dir) throws IOException {
    run("mount", "--bind", dir.toString(), dir.toString());
    mounted.add(0, dir);
    // The remount fails as "busy" while a file is open for writing through the new bind mount: a
    // running engine opens its checkpoint's temporary file there on every commit. Try again.
    for (int attempt = 1; ; attempt++) {
      try {
        run("mount", "-o", "remount,bind,ro", dir.toString());
        return;
      } catch (IOException e) {
        if (attempt == 200 || !String.valueOf(e.getMessage()).contains("busy")) {
          unmount(dir); // the bind mount alone would outlive the test (its folder undeletable)
          throw e;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Undoes the newest mount at {@code dir}. */
  public void unmount(Path dir) throws IOException {
    run("umount", dir.toString());
    mounted.remove(dir);
  }

  private static void run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command)
                + " failed: "
                + new String(process.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    for (Path dir : List.copyOf(mounted)) {
      try {
        run("umount", "-l", dir.toString());
      } catch (IOException e) {
        // best effort at cleanup
      }
    }
    mounted.clear();
  }
}
