package io.leakwatch.engine;

import io.leakwatch.decision.Alert;
import io.leakwatch.response.Responder;
import io.vertx.core.AbstractVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every alert that requests response actions to the {@link Responder}. The responder works on
 * its own thread, so this never blocks the event loop and a slow Salesforce never holds detection
 * or alert delivery back.
 */
public final class ResponseVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseVerticle.class);

  private final Responder responder;

  public ResponseVerticle(Responder responder) {
    this.responder = responder;
  }

  @Override
  public void start() {
    vertx
        .eventBus()
        .<Alert>consumer(
            Messages.ALERTS,
            message -> {
              Alert alert = message.body();
              if (!alert.responses().isEmpty()) {
                responder
                    .submit(alert)
                    .exceptionally(
                        e -> {
                          LOG.error(
                              "response actions of alert {} were not taken: {}",
                              alert.id(),
                              e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                          return null;
                        });
              }
            });
  }
}
