package io.leakwatch.alert;

import java.io.IOException;
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
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syslog over TCP (RFC 6587 octet counting: {@code LENGTH SP MESSAGE}, the length in bytes), on TLS
 * when given a socket factory (RFC 5425; the server's name is checked against its certificate). One
 * connection is kept open; a {@link CollectorHangup} notices when the collector closes it, and the
 * next message goes on a new one (a failed write is retried by the spool).
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
 *       a collector's receive buffer typically holds unread), are sent again first on the next
 *       connection after an abnormal end: a failed or timed-out write (all of them), or a
 *       connection the collector ended within {@code repeatWindow} of a write (those written within
 *       the window before the end). A collector that was reading has taken anything older, so an
 *       idle close (a load balancer's, long after the last write) repeats nothing: most SIEMs do
 *       not drop repeats, and each would page someone twice. Repeats carry their CEF {@code
 *       externalId} (the delivery key), so a collector can drop them.
 * </ul>
 *
 * What is still not guaranteed: messages beyond that allowance (a collector whose receive buffer
 * grew larger, or that read messages into its own memory and then died), messages a collector left
 * unread for longer than the window before it closed the connection, and messages in flight when
 * Leakwatch itself stops (the allowance is kept in memory only).
 */
public final class SyslogTransport implements DeliveryTransport {
  private static final Logger LOG = LoggerFactory.getLogger(SyslogTransport.class);

  /** The send buffer asked for (Linux doubles it): small, so little can wait in it. */
  static final int SEND_BUFFER_BYTES = 16 * 1024;

  /** A typical collector receive buffer (Linux's default is 128 KiB), with room to spare. */
  static final int RECEIVE_ALLOWANCE_BYTES = 256 * 1024;

  /**
   * How long a message may sit unread in a working connection's buffers: a collector that reads
   * takes it within milliseconds; load balancers close idle connections after 30 s or more.
   */
  static final Duration REPEAT_WINDOW = Duration.ofSeconds(10);

  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final String host;
  private final int port;
  private final SSLSocketFactory tls;
  private final Duration timeout;
  private final int receiveAllowance;
  private final Duration repeatWindow;
  // Monotonic nanoseconds (System::nanoTime): the repeat window is a span between two moments of
  // this process, which an NTP step of the wall clock must not stretch or shrink.
  private final LongSupplier ticker;
  private final RecentFrames recent = new RecentFrames();
  private boolean repeatDue;
  private CollectorHangup hangup;
  private Socket socket;
  private Socket tcp; // the TCP socket itself (under TLS): what the watchdog closes
  private long inFlightLimit;
  private OutputStream out;

  /**
   * @param tls null for plain TCP
   */
  public SyslogTransport(String host, int port, SSLSocketFactory tls, Duration timeout) {
    this(host, port, tls, timeout, REPEAT_WINDOW);
  }

  /**
   * @param repeatWindow how long before an orderly close a written message may still be unread and
   *     is sent again on the next connection (sink config {@code repeatWindowSeconds}): shorter
   *     than the idle timeout of a load balancer in front of the collector, or each idle close
   *     repeats the last message
   */
  public SyslogTransport(
      String host, int port, SSLSocketFactory tls, Duration timeout, Duration repeatWindow) {
    this(host, port, tls, timeout, RECEIVE_ALLOWANCE_BYTES, repeatWindow, System::nanoTime);
  }

  SyslogTransport(
      String host,
      int port,
      SSLSocketFactory tls,
      Duration timeout,
      int receiveAllowance,
      Duration repeatWindow,
      LongSupplier ticker) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.timeout = timeout;
    this.receiveAllowance = receiveAllowance;
    this.repeatWindow = repeatWindow;
    this.ticker = ticker;
  }

  Duration repeatWindow() {
    return repeatWindow;
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
      if (socket != null && hangup.endedAt() != CollectorHangup.NOT_ENDED) {
        endedByCollector(hangup.endedAt(), hangup.endedByError());
      }
      if (socket == null) {
        connect();
        if (repeatDue) {
          resendRecent();
          repeatDue = false;
        }
      }
      write(frame);
      recent.add(frame, ticker.getAsLong(), inFlightLimit);
      return DeliveryOutcome.delivered();
    } catch (IOException e) {
      // A write that failed or timed out: anything written on this connection may be unread.
      repeatDue = true;
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
   * The collector ended the connection at {@code endedAt}. An orderly close: what was written
   * within the repeat window before may still have been in the buffers, anything older a reading
   * collector had taken. An end by error (a reset, a timeout): the collector may have stopped
   * reading long before it was noticed, so everything kept is sent again.
   */
  private void endedByCollector(long endedAt, boolean byError) {
    disconnect();
    if (!byError) {
      recent.forgetWrittenBefore(endedAt - repeatWindow.toNanos());
    }
    repeatDue = repeatDue || !recent.isEmpty();
  }

  /**
   * The connection before this one ended abnormally: what it took last may never have been read.
   * Sent again, oldest first, before anything new; they are then the last written on this one.
   */
  private void resendRecent() throws IOException {
    if (recent.isEmpty()) {
      return;
    }
    List<byte[]> frames = recent.oldestFirst();
    long bytes = recent.bytes();
    recent.clear();
    for (byte[] frame : frames) {
      write(frame);
      recent.add(frame, ticker.getAsLong(), inFlightLimit);
    }
    LOG.warn(
        "syslog {}:{}: reconnected; sent the last {} message(s) ({} bytes) again, which the"
            + " previous connection may not have delivered (each repeats its externalId)",
        host,
        port,
        frames.size(),
        bytes);
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
      plain.setSoTimeout(0); // the hang-up reader blocks until the collector ends the connection
      socket = connected;
      tcp = plain;
      out = connected.getOutputStream();
      hangup = new CollectorHangup(connected.getInputStream(), ticker, host + ":" + port);
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /** When the collector ended the current connection, or {@link CollectorHangup#NOT_ENDED}. */
  long collectorEndedAt() {
    CollectorHangup watching = hangup;
    return watching == null ? CollectorHangup.NOT_ENDED : watching.endedAt();
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
      hangup.stop();
      closeQuietly(tcp); // first: a TLS close could otherwise block on a stuck connection
      closeQuietly(socket);
    }
    socket = null;
    tcp = null;
    out = null;
    hangup = null;
  }

  @Override
  public void close() {
    disconnect();
  }
}
