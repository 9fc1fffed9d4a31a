package io.leakwatch.alert;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Syslog over TCP (RFC 6587 octet counting: {@code LENGTH SP MESSAGE}, the length in bytes), on TLS
 * when given a socket factory (RFC 5425; the server's name is checked against its certificate). One
 * connection is kept open. Before each message it checks that the receiver has not closed it; a
 * closed or failed connection is dropped and the message is retried on a new one by the spool.
 *
 * <p>Syslog has no acknowledgements: a message written into a connection the receiver closes at
 * that same moment can be lost in TCP's buffers. The end-of-stream check before each write narrows
 * that window to the instant of the close; it cannot remove it.
 */
public final class SyslogTransport implements DeliveryTransport {
  private final String host;
  private final int port;
  private final SSLSocketFactory tls;
  private final Duration timeout;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  /**
   * @param tls null for plain TCP
   */
  public SyslogTransport(String host, int port, SSLSocketFactory tls, Duration timeout) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.timeout = timeout;
  }

  @Override
  public DeliveryOutcome send(String deliveryKey, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    byte[] frame = (bytes.length + " ").getBytes(StandardCharsets.US_ASCII);
    try {
      if (socket != null && closedByReceiver()) {
        disconnect();
      }
      if (socket == null) {
        connect();
      }
      out.write(frame);
      out.write(bytes);
      out.flush();
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

  private void connect() throws IOException {
    Socket plain = new Socket();
    try {
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
      socket = connected;
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

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    socket = null;
    out = null;
    in = null;
  }

  @Override
  public void close() {
    disconnect();
  }
}
