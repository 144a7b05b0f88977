package org.streamsbi.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** The dashboard's options, shared by {@code run} and {@code dashboard}. */
final class DashboardOptions {
  @Option(names = "--dashboard-port", defaultValue = "" + DashboardConfig.DEFAULT_PORT, description = "port of the live dashboard; 0 for any free port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--dashboard-host", defaultValue = DashboardConfig.DEFAULT_HOST, description = "address the dashboard binds; any other than loopback needs a token (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--dashboard-token", description = "access token for the dashboard (default: env " + DashboardConfig.TOKEN_VARIABLE + ")")
  String token;

  DashboardConfig config() {
    return new DashboardConfig(host, port, token());
  }

  /** The token option, or else the environment's. */
  Optional<String> token() {
    return Optional.ofNullable(token).or(() -> Optional.ofNullable(System.getenv(DashboardConfig.TOKEN_VARIABLE)));
  }
}
