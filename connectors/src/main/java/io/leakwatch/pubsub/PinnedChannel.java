package io.leakwatch.pubsub;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The channel to one endpoint, opened again when the certificate file it pins changes: a server
 * that rotated its certificate is reached once the operator puts the new one in place, without a
 * restart. Calls go to whichever channel is current; stubs built on this one never go stale.
 */
final class PinnedChannel extends Channel {
  private final PubSubEndpoint endpoint;
  private final Supplier<ManagedChannel> open;
  private volatile ManagedChannel current;
  private volatile byte[] pinnedDigest;

  PinnedChannel(PubSubEndpoint endpoint, Supplier<ManagedChannel> open) {
    this.endpoint = endpoint;
    this.open = open;
    this.pinnedDigest = digest();
    this.current = open.get();
  }

  /** A channel that pins nothing (or is managed elsewhere): never reopened. */
  PinnedChannel(ManagedChannel channel) {
    this.endpoint = null;
    this.open = null;
    this.current = channel;
  }

  ManagedChannel current() {
    return current;
  }

  /**
   * Before a reconnect: reopens the channel if the pinned file changed since it was read, and lets
   * a channel that failed to connect try again now rather than after its own backoff.
   */
  synchronized void refresh() {
    if (open != null && endpoint.trustedCertificate() != null) {
      byte[] now = digest();
      if (now != null && !Arrays.equals(now, pinnedDigest)) {
        ManagedChannel old = current;
        current = openPinned();
        pinnedDigest = now;
        old.shutdown();
        return;
      }
    }
    current.resetConnectBackoff();
  }

  /**
   * A channel trusting the pinned file as it is now; one that does not load (not PEM, half written)
   * is said as such, without the TLS provider's class names, and tried again at the next attempt.
   */
  private ManagedChannel openPinned() {
    Path pem = endpoint.trustedCertificate();
    try (InputStream in = Files.newInputStream(pem)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new CertificateException("no certificate in it");
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalStateException(
          "the pinned certificate "
              + pem
              + " cannot be loaded ("
              + e.getMessage()
              + "); it is read again at the next attempt");
    }
    try {
      return open.get();
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new IllegalStateException(
          "the pinned certificate "
              + endpoint.trustedCertificate()
              + " cannot be loaded ("
              + root.getMessage()
              + "); it is read again at the next attempt");
    }
  }

  /**
   * Says plainly when a failure is the server's certificate not matching the pinned one (the gRPC
   * status alone only names the TLS handler). Only a failed check of the certificate says so: a
   * connection reset or closed in the middle of the TLS handshake also surfaces as an {@link
   * SSLException}, and telling an operator to replace a certificate during a network outage would
   * send them the wrong way.
   */
  String describe(Throwable failure) {
    String described = PubSubErrors.describe(failure);
    if (endpoint == null || endpoint.trustedCertificate() == null) {
      return described;
    }
    boolean handshake = false;
    for (Throwable t : PubSubErrors.causes(failure)) {
      if (t instanceof CertificateException
          || t instanceof java.security.cert.CertPathValidatorException) {
        return "certificate presented by "
            + endpoint
            + " does not match the pinned certificate "
            + endpoint.trustedCertificate()
            + " (replace that file with the server's new certificate; it is read again at the next"
            + " attempt)";
      }
      handshake |= t instanceof SSLException;
    }
    return handshake ? "TLS with " + endpoint + " failed: " + described : described;
  }

  private byte[] digest() {
    Path pem = endpoint == null ? null : endpoint.trustedCertificate();
    if (pem == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(pem));
    } catch (IOException e) {
      return pinnedDigest; // unreadable for a moment (being replaced): keep what we have
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
    return current.newCall(method, options);
  }

  @Override
  public String authority() {
    return current.authority();
  }

  void close() {
    ManagedChannel channel = current;
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
