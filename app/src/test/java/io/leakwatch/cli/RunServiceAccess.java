package io.leakwatch.cli;

import io.leakwatch.config.EngineConfig;
import java.io.PrintStream;

/**
 * Lets tests in other packages start the {@code run} command's service (an engine "running
 * elsewhere").
 */
public final class RunServiceAccess implements AutoCloseable {
  private final RunCommand.Service service;

  private RunServiceAccess(RunCommand.Service service) {
    this.service = service;
  }

  public static RunServiceAccess start(EngineConfig config, PrintStream console) throws Exception {
    return new RunServiceAccess(RunCommand.Service.start(config, console, null));
  }

  public int apiPort() {
    return service.api().port();
  }

  @Override
  public void close() throws Exception {
    service.close();
  }
}
