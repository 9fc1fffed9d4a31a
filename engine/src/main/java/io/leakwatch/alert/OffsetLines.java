package io.leakwatch.alert;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a file one at a time, each with where it starts and how many bytes it has, so a
 * reader can keep the place of a line instead of the line; bytes that are not UTF-8 become U+FFFD
 * (a crash can cut the last line inside a multi-byte character), as in {@link LenientLines}.
 */
final class OffsetLines {
  interface Visitor {
    void line(long offset, String text, int length) throws IOException;
  }

  private OffsetLines() {}

  static void read(Path file, Visitor visitor) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      long offset = 0;
      long start = 0;
      for (int b = in.read(); b >= 0; b = in.read()) {
        offset++;
        if (b == '\n') {
          visitor.line(start, decode(line), line.size());
          line.reset();
          start = offset;
        } else {
          line.write(b);
        }
      }
      if (line.size() > 0) {
        visitor.line(start, decode(line), line.size());
      }
    }
  }

  private static String decode(ByteArrayOutputStream bytes) throws IOException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .decode(ByteBuffer.wrap(bytes.toByteArray()))
        .toString();
  }
}
