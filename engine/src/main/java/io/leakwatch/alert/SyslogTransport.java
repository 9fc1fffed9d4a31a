package io.leakwatch.alert;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syslog over TCP (RFC 6587 octet counting: {@code LENGTH SP MESSAGE}, the length in bytes), on TLS
 * when given a socket factory (RFC 5425; the server's name is checked against its certificate). One
 * connection is kept open. Before each message it checks that the receiver has not closed it; a
 * closed or failed connection is dropped and the message is retried on a new one by the spool.
 *
 * <p>Syslog has no acknowledgements: a message counts as delivered once TCP has taken it, and can
 * still be lost in TCP's buffers if the connection then dies. So that a collector that stops
 * reading, or a connection that dies silently, cannot lose what it took:
 *
 * <ul>
 *   <li>each write must finish within the timeout, or a watchdog closes the socket and the message
 *       is retried (a socket's read timeout does not cover writes);
 *   <li>the send buffer is kept small ({@value #SEND_BUFFER_BYTES} bytes asked), so little waits in
 *       it;
 *   <li>the last messages written, up to the send buffer plus {@code receiveAllowance} bytes (what
 *       a collector's receive buffer typically holds unread), are sent again first whenever a new
 *       connection replaces one that ended. They repeat their CEF {@code externalId} (the delivery
 *       key), so a collector can drop repeats.
 * </ul>
 *
 * What is still not guaranteed: messages beyond that allowance (a collector whose receive buffer
 * grew larger, or that read messages into its own memory and then died), and messages in flight
 * when Leakwatch itself stops (the allowance is kept in memory only).
 */
public final class SyslogTransport implements DeliveryTransport {
  private static final Logger LOG = LoggerFactory.getLogger(SyslogTransport.class);

  /** The send buffer asked for (Linux doubles it): small, so little can wait in it. */
  static final int SEND_BUFFER_BYTES = 16 * 1024;

  /** A typical collector receive buffer (Linux's default is 128 KiB), with room to spare. */
  static final int RECEIVE_ALLOWANCE_BYTES = 256 * 1024;

  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final String host;
  private final int port;
  private final SSLSocketFactory tls;
  private final Duration timeout;
  private final int receiveAllowance;
  private final RecentFrames recent = new RecentFrames();
  private Socket socket;
  private Socket tcp; // the TCP socket itself (under TLS): what the watchdog closes
  private long inFlightLimit;
  private OutputStream out;
  private InputStream in;

  /**
   * @param tls null for plain TCP
   */
  public SyslogTransport(String host, int port, SSLSocketFactory tls, Duration timeout) {
    this(host, port, tls, timeout, RECEIVE_ALLOWANCE_BYTES);
  }

  SyslogTransport(
      String host, int port, SSLSocketFactory tls, Duration timeout, int receiveAllowance) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.timeout = timeout;
    this.receiveAllowance = receiveAllowance;
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "syslog-write-watchdog");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  @Override
  public DeliveryOutcome send(String deliveryKey, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    byte[] length = (bytes.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] frame = new byte[length.length + bytes.length];
    System.arraycopy(length, 0, frame, 0, length.length);
    System.arraycopy(bytes, 0, frame, length.length, bytes.length);
    try {
      if (socket != null && closedByReceiver()) {
        disconnect();
      }
      if (socket == null) {
        connect();
        resendRecent();
      }
      write(frame);
      recent.add(frame, inFlightLimit);
      return DeliveryOutcome.delivered();
    } catch (IOException e) {
      disconnect();
      return DeliveryOutcome.retry(
          "syslog "
              + host
              + ":"
              + port
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  /**
   * The connection before this one ended: what it took last may never have been read. Sent again,
   * oldest first, before anything new.
   */
  private void resendRecent() throws IOException {
    if (recent.isEmpty()) {
      return;
    }
    List<byte[]> frames = recent.oldestFirst();
    for (byte[] frame : frames) {
      write(frame);
    }
    LOG.warn(
        "syslog {}:{}: reconnected; sent the last {} message(s) ({} bytes) again, which the"
            + " previous connection may not have delivered (each repeats its externalId)",
        host,
        port,
        frames.size(),
        recent.bytes());
  }

  /** Writes the whole frame within the timeout, or closes the socket and throws. */
  private void write(byte[] frame) throws IOException {
    Socket target = tcp;
    AtomicBoolean fired = new AtomicBoolean();
    ScheduledFuture<?> dog =
        WATCHDOG.schedule(
            () -> {
              fired.set(true);
              closeQuietly(target);
            },
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      out.write(frame);
      out.flush();
    } catch (IOException e) {
      if (fired.get()) {
        throw new SocketTimeoutException(
            "the collector took no data for " + timeout.toMillis() + " ms");
      }
      throw e;
    } finally {
      dog.cancel(false);
    }
  }

  private void connect() throws IOException {
    Socket plain = new Socket();
    try {
      plain.setSendBufferSize(SEND_BUFFER_BYTES);
      plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      plain.setSoTimeout((int) timeout.toMillis());
      plain.setKeepAlive(true);
      Socket connected = plain;
      if (tls != null) {
        SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
        var params = secure.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(params);
        secure.startHandshake();
        connected = secure;
      }
      inFlightLimit = (long) plain.getSendBufferSize() + receiveAllowance;
      socket = connected;
      tcp = plain;
      out = connected.getOutputStream();
      in = connected.getInputStream();
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * A syslog receiver never writes; end of stream or an error on a short read means it has gone.
   */
  private boolean closedByReceiver() {
    try {
      socket.setSoTimeout(1);
      while (true) {
        int read = in.read();
        if (read < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      try {
        if (!socket.isClosed()) {
          socket.setSoTimeout((int) timeout.toMillis());
        }
      } catch (IOException ignored) {
        // the next write reports it
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private void disconnect() {
    if (socket != null) {
      closeQuietly(tcp); // first: a TLS close could otherwise block on a stuck connection
      closeQuietly(socket);
    }
    socket = null;
    tcp = null;
    out = null;
    in = null;
  }

  @Override
  public void close() {
    disconnect();
  }
}
