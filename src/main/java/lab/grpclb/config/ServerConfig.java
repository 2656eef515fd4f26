package lab.grpclb.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Settings of {@code --mode server}. */
public record ServerConfig(String host, int port, String podIp, String podIpSource, int delayMs, int drainTimeoutMs,
                           ErrorInjection errors, MaxConnectionAge maxConnectionAge) {

  public static final int DEFAULT_PORT = 50051;
  public static final int DEFAULT_DELAY_MS = 500;
  public static final int DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

  public static ServerConfig from(Flags flags) {
    String host = flags.string("host", "0.0.0.0", "an address to listen on");
    int port = flags.integer("port", DEFAULT_PORT, 0, 65535);
    int delayMs = flags.integer("delay-ms", "GREETER_DELAY_MS", DEFAULT_DELAY_MS, 0, 3_600_000);
    int drainMs = flags.integer("drain-timeout-ms", DEFAULT_DRAIN_TIMEOUT_MS, 0, 3_600_000);
    String podIp = flags.string("pod-ip", "MY_POD_IP", null, "this pod's IP address");
    String source = flags.isSet("pod-ip") ? "--pod-ip" : "env MY_POD_IP";
    if (podIp == null) {
      podIp = firstNonLoopbackAddress();
      source = "first non-loopback address of this host";
    }
    return new ServerConfig(host, port, podIp, source, delayMs, drainMs, ErrorInjection.from(flags),
        MaxConnectionAge.from(flags));
  }

  /** A server for tests and the local cluster: one pod IP bound on its own loopback address. */
  public static ServerConfig forPod(String podIp, int port, int delayMs) {
    return forPod(podIp, port, delayMs, MaxConnectionAge.OFF);
  }

  public static ServerConfig forPod(String podIp, int port, int delayMs, MaxConnectionAge maxConnectionAge) {
    return new ServerConfig(podIp, port, podIp, "local cluster", delayMs, DEFAULT_DRAIN_TIMEOUT_MS, ErrorInjection.NONE,
        maxConnectionAge);
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
