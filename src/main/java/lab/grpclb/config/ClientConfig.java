package lab.grpclb.config;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** Settings of {@code --mode client}. */
public record ClientConfig(
    String httpHost,
    int httpPort,
    HostPort target,
    int maxN,
    int callTimeoutMs,
    int maxConnections,
    int maxInFlight,
    KubeConfig kube) {

  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_MAX_N = 1_000_000;
  public static final int DEFAULT_CALL_TIMEOUT_MS = 30_000;
  /** Up to the reference's largest run, every call is in flight at once. */
  public static final int MIN_IN_FLIGHT = 10_000;
  /** Heap one in-flight call holds on the client, with headroom (measured ~7 KB). */
  private static final long HEAP_PER_CALL = 12 * 1024;

  /** A client without Kubernetes discovery. */
  public ClientConfig(String httpHost, int httpPort, HostPort target, int maxN, int callTimeoutMs, int maxConnections,
                      int maxInFlight) {
    this(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, null);
  }

  public static ClientConfig from(Flags flags) {
    return new ClientConfig(
        flags.string("http-host", "0.0.0.0"),
        flags.integer("http-port", DEFAULT_HTTP_PORT, 0, 65535),
        HostPort.parse("--target (or env GREETER_TARGET)", flags.string("target", "GREETER_TARGET", "greeter-server:50051")),
        flags.integer("max-n", DEFAULT_MAX_N, 1, 100_000_000),
        flags.integer("call-timeout-ms", DEFAULT_CALL_TIMEOUT_MS, 1, 3_600_000),
        flags.integer("max-connections", defaultMaxConnections(), 1, 1_000_000),
        flags.integer("max-in-flight", defaultMaxInFlight(), 1, 100_000_000),
        KubeConfig.from(flags));
  }

  /** The same client, with ClientWithKubeResolver discovering through the given API. */
  public ClientConfig withKube(KubeConfig newKube) {
    return new ClientConfig(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, newKube);
  }

  /** Half the free file descriptors (each loopback connection may cost two), at most 5 000. */
  public static int defaultMaxConnections() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 200;
      return (int) Math.max(16, Math.min(5_000, free / 2));
    }
    return 1_000;
  }

  /** As many calls as the heap holds with room to spare, never fewer than {@link #MIN_IN_FLIGHT}. */
  public static int defaultMaxInFlight() {
    long fit = Runtime.getRuntime().maxMemory() / HEAP_PER_CALL;
    return (int) Math.max(MIN_IN_FLIGHT, Math.min(fit, 1_000_000));
  }
}
