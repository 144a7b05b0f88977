package org.streamsbi.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where the dashboard listens and who may read it. Anything beyond the loopback interface can be
 * reached by others, and the dashboard shows a run's data and metrics, so binding there needs an
 * access token.
 *
 * @param host the address to bind
 * @param port the port; 0 for any free one
 * @param token the access token requests must carry; empty to allow every request on loopback
 */
record DashboardConfig(String host, int port, Optional<String> token) {
  /** The environment variable that holds the token when no option gives it. */
  static final String TOKEN_VARIABLE = "STREAMSBI_DASHBOARD_TOKEN";
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 8080;

  DashboardConfig {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--dashboard-port must be between 0 and 65535, got " + port);
    }
    token = token.filter(t -> !t.isBlank());
    if (token.isEmpty() && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "--dashboard-host " + host + " is reachable from other machines: give an access token with "
              + "--dashboard-token or " + TOKEN_VARIABLE + ", or bind to 127.0.0.1");
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--dashboard-host " + host + " is not a known address", e);
    }
  }
}
