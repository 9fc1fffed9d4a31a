package io.leakwatch.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between the engine and a server that can stall (connections stay open, nothing is
 * forwarded: a SIGSTOPped or wedged server) or cut the server off (open connections reset, new ones
 * closed at once: a server gone away). Real sockets, so the client's TLS and HTTP/2 see exactly
 * what they would see on a network.
 */
final class FaultProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean stalled;
  private volatile boolean cutOff;
  private volatile boolean closed;

  FaultProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "fault-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Stops forwarding in both directions; connections stay open. */
  void stall() {
    stalled = true;
  }

  /** Resets every open connection and refuses new ones until {@link #restore()}. */
  void cutOff() {
    cutOff = true;
    sockets.forEach(FaultProxy::closeQuietly);
  }

  /** Forwards again. */
  void restore() {
    stalled = false;
    cutOff = false;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (cutOff) {
          client.setSoLinger(true, 0);
          client.close();
          continue;
        }
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  while (stalled && !cutOff && !closed) {
                    Thread.sleep(10);
                  }
                  if (cutOff || closed) {
                    break;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the other side closed or was cut off
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "fault-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    sockets.forEach(FaultProxy::closeQuietly);
  }
}
