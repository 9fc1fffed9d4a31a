package io.leakwatch.alert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A syslog collector on loopback: TCP or TLS, RFC 6587 octet-counted frames, one connection at a
 * time.
 */
final class SyslogReceiver implements AutoCloseable {
  final List<String> messages = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();

  /** Connections this receiver has closed (its FIN is sent by then). */
  final AtomicInteger closed = new AtomicInteger();

  /** When positive, the receiver closes the connection right after this many more messages. */
  final AtomicInteger dropAfter = new AtomicInteger();

  private final ServerSocket server;
  private final Thread thread;
  private volatile Socket current;

  SyslogReceiver(SSLContext tls) throws IOException {
    this(tls, 0);
  }

  /** Plain TCP on a given port (0: any), to come back where a closed receiver was. */
  SyslogReceiver(SSLContext tls, int port) throws IOException {
    if (tls == null) {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
    } else {
      server =
          tls.getServerSocketFactory()
              .createServerSocket(port, 10, InetAddress.getLoopbackAddress());
    }
    thread = new Thread(this::serve, "syslog-receiver");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        current = socket;
        connections.incrementAndGet();
        InputStream in = socket.getInputStream();
        while (true) {
          String frame = readFrame(in);
          if (frame == null) {
            break;
          }
          messages.add(frame);
          if (dropAfter.get() > 0 && dropAfter.decrementAndGet() == 0) {
            break;
          }
        }
      } catch (IOException e) {
        // connection ended; accept the next one
      }
      closed.incrementAndGet();
    }
  }

  /** LENGTH SP MESSAGE, where LENGTH counts the message's bytes; null at end of stream. */
  private static String readFrame(InputStream in) throws IOException {
    int length = 0;
    int c = in.read();
    if (c < 0) {
      return null;
    }
    while (c != ' ') {
      if (c < '0' || c > '9') {
        throw new IOException("bad frame length byte " + c);
      }
      length = length * 10 + (c - '0');
      c = in.read();
      if (c < 0) {
        return null;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = in.readNBytes(length);
    if (buffer.length < length) {
      return null;
    }
    out.write(buffer);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Ends the current connection, as a collector or a load balancer closing an idle one does. */
  void hangUp() throws IOException {
    Socket socket = current;
    if (socket != null) {
      socket.close();
    }
  }

  /**
   * Ends the current connection with a reset, as a collector host that crashed or was cut off is
   * seen once it answers again.
   */
  void reset() throws IOException {
    Socket socket = current;
    if (socket != null) {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Socket socket = current;
    if (socket != null) {
      socket.close();
    }
  }
}
