package lab.grpclb.config;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** Settings of {@code --mode local}: the cluster's shape, and the experiment client in front of it. */
public record LocalConfig(int replicas, int delayMs, int grpcPort, String serviceIp, int apiPort, boolean report,
                          String outDir, ClientConfig client) {

  public static final int MAX_REPLICAS = 100;
  public static final String SERVICE_IP = "127.0.0.250";
  public static final int DEFAULT_API_PORT = 6443;

  public static LocalConfig from(Flags flags) {
    int grpcPort = flags.integer("port", ServerConfig.DEFAULT_PORT, 1, 65535);
    ClientConfig client = new ClientConfig(
        "127.0.0.1",
        flags.integer("http-port", ClientConfig.DEFAULT_HTTP_PORT, 0, 65535),
        new HostPort(SERVICE_IP, grpcPort),
        flags.integer("max-n", ClientConfig.DEFAULT_MAX_N, 1, 100_000_000),
        flags.integer("call-timeout-ms", ClientConfig.DEFAULT_CALL_TIMEOUT_MS, 1, 3_600_000),
        flags.integer("max-connections", defaultMaxConnections(), 1, 1_000_000),
        flags.integer("max-in-flight", ClientConfig.defaultMaxInFlight(), 1, 100_000_000),
        null); // the local cluster fills in its own control plane
    return new LocalConfig(
        flags.integer("replicas", 3, 1, MAX_REPLICAS),
        flags.integer("delay-ms", "GREETER_DELAY_MS", ServerConfig.DEFAULT_DELAY_MS, 0, 3_600_000),
        grpcPort,
        SERVICE_IP,
        flags.integer("api-port", DEFAULT_API_PORT, 0, 65535),
        flags.bool("report"),
        flags.string("out", "out"),
        client);
  }

  /**
   * An eighth of the free file descriptors, at most 5 000: here every per-call connection costs four of them in
   * this one process (the client's socket, both ends of the service address's hop, and the pod's socket), and the
   * last three close a little after the client's: at n = 10 000 about six per allowed connection were open at peak.
   */
  static int defaultMaxConnections() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 200;
      return (int) Math.max(16, Math.min(5_000, free / 8));
    }
    return 1_000;
  }
}
