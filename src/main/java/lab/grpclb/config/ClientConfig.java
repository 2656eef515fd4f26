package lab.grpclb.config;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/** Settings of {@code --mode client}. */
public record ClientConfig(
    String httpHost,
    int httpPort,
    HostPort target,
    int maxN,
    int callTimeoutMs,
    int maxConnections,
    int maxInFlight,
    KubeConfig kube,
    RetryPolicy retryPolicy,
    int connectTimeoutMs,
    int drainTimeoutMs,
    int maxDurationS,
    BalancerConfig balancer,
    DnsConfig dns) {

  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_MAX_N = 1_000_000;
  public static final int DEFAULT_CALL_TIMEOUT_MS = 30_000;
  /** gRPC's minimum connect timeout: TCP and the HTTP/2 handshake together. */
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
  /** On SIGTERM or Ctrl-C, how long a running experiment's calls in flight may take to finish. */
  public static final int DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
  /** The longest open loop one request may ask for (duration_s). */
  public static final int DEFAULT_MAX_DURATION_S = 600;
  /** Up to the reference's largest run, every call is in flight at once. */
  public static final int MIN_IN_FLIGHT = 10_000;
  /** Under G1, calls in flight by default at most: the cap that keeps its young pauses well under 1 s. */
  static final int G1_MAX_IN_FLIGHT = 20_000;
  /** Heap one in-flight call holds on the client, with headroom (measured ~7 KB). */
  private static final long HEAP_PER_CALL = 12 * 1024;

  /** A client without Kubernetes discovery. */
  public ClientConfig(String httpHost, int httpPort, HostPort target, int maxN, int callTimeoutMs, int maxConnections,
                      int maxInFlight) {
    this(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, null);
  }

  /** A client with the default retry policy and timeouts. */
  public ClientConfig(String httpHost, int httpPort, HostPort target, int maxN, int callTimeoutMs, int maxConnections,
                      int maxInFlight, KubeConfig kube) {
    this(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, kube, RetryPolicy.DEFAULT,
        DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_DURATION_S);
  }

  /** A client with the default balancer (round robin, no outlier ejection), without DNS discovery. */
  public ClientConfig(String httpHost, int httpPort, HostPort target, int maxN, int callTimeoutMs, int maxConnections,
                      int maxInFlight, KubeConfig kube, RetryPolicy retryPolicy, int connectTimeoutMs,
                      int drainTimeoutMs, int maxDurationS) {
    this(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, kube, retryPolicy,
        connectTimeoutMs, drainTimeoutMs, maxDurationS, BalancerConfig.DEFAULT, null);
  }

  public static ClientConfig from(Flags flags) {
    String httpHost = flags.string("http-host", "0.0.0.0", "an address to listen on");
    HostPort target = HostPort.parse("--target (or env GREETER_TARGET)", flags.string("target", "GREETER_TARGET", "greeter-server:50051", "host:port"));
    return withLimits(flags, httpHost, target, 2).withKube(KubeConfig.from(flags)).withDns(DnsConfig.from(flags));
  }

  /**
   * The experiment's port and limits, read the same way in every mode that runs the client; a per-call
   * connection costs descriptorsPerConnection file descriptors in this process.
   */
  static ClientConfig withLimits(Flags flags, String httpHost, HostPort target, int descriptorsPerConnection) {
    return new ClientConfig(
        httpHost,
        flags.integer("http-port", DEFAULT_HTTP_PORT, 0, 65535),
        target,
        flags.integer("max-n", DEFAULT_MAX_N, 1, 100_000_000),
        flags.integer("call-timeout-ms", DEFAULT_CALL_TIMEOUT_MS, 1, 3_600_000),
        flags.integer("max-connections", defaultMaxConnections(descriptorsPerConnection), 1, 1_000_000),
        flags.integer("max-in-flight", defaultMaxInFlight(), 1, 100_000_000),
        null,
        RetryPolicy.from(flags),
        flags.integer("connect-timeout-ms", DEFAULT_CONNECT_TIMEOUT_MS, 1, 3_600_000),
        flags.integer("drain-timeout-ms", DEFAULT_DRAIN_TIMEOUT_MS, 0, 3_600_000),
        flags.integer("max-duration-s", DEFAULT_MAX_DURATION_S, 1, 86_400),
        BalancerConfig.from(flags),
        null);
  }

  /** The same client, with ClientWithKubeResolver discovering through the given API. */
  public ClientConfig withKube(KubeConfig newKube) {
    return new ClientConfig(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, newKube,
        retryPolicy, connectTimeoutMs, drainTimeoutMs, maxDurationS, balancer, dns);
  }

  /** The same client, with ClientWithDnsResolver resolving as given (null: that type is unavailable). */
  public ClientConfig withDns(DnsConfig newDns) {
    return new ClientConfig(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, kube,
        retryPolicy, connectTimeoutMs, drainTimeoutMs, maxDurationS, balancer, newDns);
  }

  /**
   * The free file descriptors divided by what one per-call connection costs, at most 5 000. A client and
   * a server on one host cost two per connection; the local mode four (and the last three close a little
   * after the client's: at n = 10 000 about six per allowed connection were open at peak, hence 8 there).
   */
  public static int defaultMaxConnections(int descriptorsPerConnection) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 200;
      return (int) Math.max(16, Math.min(5_000, free / descriptorsPerConnection));
    }
    return 1_000;
  }

  /** As many calls as the heap holds with room to spare, never fewer than {@link #MIN_IN_FLIGHT}. */
  public static int defaultMaxInFlight() {
    List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).toList();
    return maxInFlight(Runtime.getRuntime().maxMemory(), collectors);
  }

  /**
   * ZGC collects while the event loops keep allocating, so it needs free heap beside the calls: at
   * {@code -Xmx512m} and n = 100 000 it ran out of memory with the cap G1 and ParallelGC live with (43 000
   * calls), and completed with 21 000.
   *
   * <p>G1 (the JVM's default) copies every live call in each young pause, so the cap bounds its pauses: with
   * the JVM's default heap (6 GB here) and ReuseConn n = 1 000 000, 42 000 calls in flight made pauses of up to
   * 1.17 s (the process stopped answering {@code /healthz} in time); at {@link #G1_MAX_IN_FLIGHT} the longest
   * was 0.54 s and the run was faster (56 s against 66-80 s).
   */
  static int maxInFlight(long maxHeap, List<String> collectors) {
    boolean zgc = collectors.stream().anyMatch(name -> name.startsWith("ZGC"));
    boolean g1 = collectors.stream().anyMatch(name -> name.startsWith("G1"));
    long fit = maxHeap / (zgc ? 2 * HEAP_PER_CALL : HEAP_PER_CALL);
    return (int) Math.max(MIN_IN_FLIGHT, Math.min(fit, g1 ? G1_MAX_IN_FLIGHT : 1_000_000));
  }
}
