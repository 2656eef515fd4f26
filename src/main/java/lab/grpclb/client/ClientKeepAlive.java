package lab.grpclb.client;

import java.util.logging.Logger;
import lab.grpclb.config.KeepAlive;

/**
 * One channel's keepalive settings, shared by its connections, with the one thing that changes them: a server that
 * answers GOAWAY {@code too_many_pings} makes the channel ping half as often from then on, as gRPC clients do
 * (gRFC A8), so that a client never keeps provoking a server whose policy it cannot see. The time is read by the
 * connections' event loops and doubled from any of them.
 */
public final class ClientKeepAlive {
  private static final Logger LOG = Logger.getLogger(ClientKeepAlive.class.getName());
  /** gRPC does not cap the doubling; an hour keeps a misconfigured pair from overflowing anything. */
  static final long MAX_TIME_MS = 3_600_000;

  private final KeepAlive settings;
  private volatile long timeMs;

  public ClientKeepAlive(KeepAlive settings) {
    this.settings = settings;
    this.timeMs = settings.timeMs();
  }

  public boolean on() {
    return settings.on();
  }

  /** How long a connection may receive nothing before it is pinged, now. */
  long timeMs() {
    return timeMs;
  }

  long timeoutMs() {
    return settings.timeoutMs();
  }

  /** The sockets' TCP_USER_TIMEOUT (gRFC A18): the keepalive timeout while keepalive is on, else the OS's. */
  long userTimeoutMs() {
    return on() ? settings.timeoutMs() : 0;
  }

  boolean withoutCalls() {
    return settings.withoutCalls();
  }

  /** {@code endpoint} sent GOAWAY too_many_pings: ping half as often. */
  synchronized void tooManyPings(String endpoint) {
    long before = timeMs;
    timeMs = Math.min(MAX_TIME_MS, before * 2);
    LOG.warning(() -> "endpoint " + endpoint + " sent GOAWAY too_many_pings: keepalive time now " + timeMs
        + " ms (was " + before + "); its --permit-keepalive-time-ms is longer than this client's --keepalive-time-ms");
  }
}
