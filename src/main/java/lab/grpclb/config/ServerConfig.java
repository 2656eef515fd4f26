package lab.grpclb.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Settings of {@code --mode server}. */
public record ServerConfig(String host, int port, String podIp, String podIpSource, int delayMs, Capacity capacity,
                           WarmUp warmUp, int drainTimeoutMs, ErrorInjection errors, MaxConnectionAge maxConnectionAge,
                           PingPolicy pings, int metricsPort) {

  public static ServerConfig from(Flags flags) {
    String host = flags.text(FlagTable.HOST);
    int port = flags.integer(FlagTable.PORT);
    int delayMs = flags.integer(FlagTable.DELAY_MS);
    int drainMs = flags.integer(FlagTable.SERVER_DRAIN_TIMEOUT_MS);
    String podIp = flags.text(FlagTable.POD_IP);
    String source = flags.isSet(FlagTable.POD_IP) ? "--" + FlagTable.POD_IP.name() : "env " + FlagTable.POD_IP.env();
    if (podIp == null) {
      podIp = firstNonLoopbackAddress();
      source = "first non-loopback address of this host";
    }
    int metricsPort = flags.integer(FlagTable.METRICS_PORT);
    return new ServerConfig(host, port, podIp, source, delayMs, Capacity.from(flags), WarmUp.from(flags), drainMs,
        ErrorInjection.from(flags), MaxConnectionAge.from(flags), PingPolicy.from(flags), metricsPort);
  }

  /**
   * A server for tests and the local cluster: one pod IP bound on its own loopback address, unlimited capacity, warm
   * from the start, the flags' drain timeout, no metrics port, no failures on purpose and no max connection age.
   */
  public static ServerConfig forPod(String podIp, int port, int delayMs) {
    return new ServerConfig(podIp, port, podIp, "local cluster", delayMs, Capacity.UNLIMITED, WarmUp.OFF,
        FlagTable.SERVER_DRAIN_TIMEOUT_MS.defaultValue(), ErrorInjection.NONE, MaxConnectionAge.OFF,
        PingPolicy.GRPC_DEFAULT, 0);
  }

  /** The same server with this capacity and service time. */
  public ServerConfig withCapacity(Capacity limit) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, limit, warmUp, drainTimeoutMs, errors,
        maxConnectionAge, pings, metricsPort);
  }

  /** The same server, cold at start as {@code cold} says. */
  public ServerConfig withWarmUp(WarmUp cold) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, cold, drainTimeoutMs, errors,
        maxConnectionAge, pings, metricsPort);
  }

  /** The same server, its connections told to go away at this age. */
  public ServerConfig withMaxConnectionAge(MaxConnectionAge age) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, warmUp, drainTimeoutMs, errors, age,
        pings, metricsPort);
  }

  /** The same server, permitting client pings as given. */
  public ServerConfig withPings(PingPolicy policy) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, warmUp, drainTimeoutMs, errors,
        maxConnectionAge, policy, metricsPort);
  }

  private static String firstNonLoopbackAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // fall through to loopback
    }
    return "127.0.0.1";
  }
}
