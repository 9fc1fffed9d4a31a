package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubCredentials;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads when a stream fails: a certificate that does not match the pinned one is
 * said as such, and only then; a connection reset in the middle of the TLS handshake (a network
 * outage, a proxy) says what the network said.
 */
class PubSubFailureDescriptionTest {
  private static final String ORG = "00D000000000001AAA";

  @TempDir Path dir;

  @Test
  void aServerWithAnotherCertificateIsReportedAsAMismatch() throws Exception {
    try (PubSubServer server = server("a");
        PubSubServer other = server("b");
        PubSubClient client =
            client(new PubSubEndpoint("localhost", server.port(), other.certificate()))) {
      StatusRuntimeException failure =
          assertThrows(StatusRuntimeException.class, () -> client.topic("/event/ApiEventStream"));
      assertTrue(
          client.describe(failure).contains("does not match the pinned certificate"),
          client.describe(failure));
    }
  }

  @Test
  void aConnectionResetDuringTheHandshakeIsNotCalledACertificateMismatch() throws Exception {
    try (PubSubServer server = server("a");
        PubSubClient client =
            client(new PubSubEndpoint("localhost", server.port(), server.certificate()))) {
      // What gRPC reports when the peer resets the connection while TLS control frames are written.
      StatusRuntimeException reset =
          Status.UNAVAILABLE
              .withDescription("io exception\nChannel Pipeline: [SslHandler#0, …]")
              .withCause(
                  new SSLException(
                      "failure when writing TLS control frames",
                      new IOException(
                          "sendAddress(..) failed with error(-104): Connection reset by peer")))
              .asRuntimeException();
      assertEquals(
          "TLS with localhost:"
              + server.port()
              + " failed: UNAVAILABLE: io exception (Connection reset by peer)",
          client.describe(reset));
    }
  }

  @Test
  void aServerThatResetsEveryConnectionIsNeverReportedAsACertificateProblem() throws Exception {
    try (PubSubServer server = server("a");
        ServerSocket resetting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accept =
          new Thread(
              () -> {
                while (!resetting.isClosed()) {
                  try (Socket socket = resetting.accept()) {
                    socket.setSoLinger(true, 0);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      accept.setDaemon(true);
      accept.start();
      for (int attempt = 0; attempt < 5; attempt++) {
        try (PubSubClient client =
            client(
                new PubSubEndpoint("localhost", resetting.getLocalPort(), server.certificate()))) {
          StatusRuntimeException failure =
              assertThrows(
                  StatusRuntimeException.class, () -> client.topic("/event/ApiEventStream"));
          String described = client.describe(failure);
          assertFalse(described.contains("certificate"), described);
          assertFalse(described.contains("\n"), described);
          assertTrue(described.startsWith("UNAVAILABLE") || described.contains("UNAVAILABLE"));
        }
      }
    }
  }

  @Test
  void aStatusIsDescribedOnOneLineWithoutTheChannelPipeline() {
    assertEquals(
        "UNAVAILABLE: Connection closed while performing TLS negotiation",
        PubSubErrors.describe(
            Status.UNAVAILABLE
                .withDescription(
                    "Connection closed while performing TLS negotiation\n"
                        + "Channel Pipeline: [SslHandler#0, ProtocolNegotiators$ClientTlsHandler#0]")
                .asRuntimeException()));
  }

  private PubSubServer server(String name) throws Exception {
    return PubSubServer.start(
        PubSubServer.Settings.defaults(ORG, dir.resolve(name)),
        EventSchemas.standard().byTopic(),
        1_000);
  }

  private static PubSubClient client(PubSubEndpoint endpoint) {
    return new PubSubClient(
        endpoint, () -> new PubSubCredentials("token", "https://sim.my.salesforce.com", ORG));
  }
}
