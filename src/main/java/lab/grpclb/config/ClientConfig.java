package lab.grpclb.config;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of {@code --mode client}: {@link #from} reads them from the flags, {@link #defaults} and the withers build
 * one in code (a test, the local mode) without a positional list of fourteen.
 */
public record ClientConfig(
    String httpHost,
    int httpPort,
    HostPort target,
    int maxN,
    int callTimeoutMs,
    int maxConnections,
    int maxInFlight,
    KubeConfig kube,
    AttemptPolicy attempts,
    int connectTimeoutMs,
    KeepAlive keepAlive,
    int drainTimeoutMs,
    int maxDurationS,
    BalancerConfig balancer,
    DnsConfig dns) {

  /** Up to the reference's largest run, every call is in flight at once. */
  public static final int MIN_IN_FLIGHT = 10_000;
  /**
   * Under G1, calls in flight by default at most: the cap that keeps its young pauses well under 1 s. It was 20 000
   * while a call held 7 KB; since {@code StreamQueues} a call holds 2.3 KB, so 60 000 hold the same live bytes.
   */
  static final int G1_MAX_IN_FLIGHT = 60_000;
  /**
   * Heap one in-flight call holds on the client, with headroom: 2.3 KB measured ({@code jmap -histo:live}, 20 000
   * calls held), 7 KB before {@code StreamQueues}; the same 1.7x headroom as the 12 KiB it was then.
   */
  private static final long HEAP_PER_CALL = 4 * 1024;

  public static ClientConfig from(Flags flags) {
    return withoutDiscovery(flags).withKube(KubeConfig.from(flags)).withDns(DnsConfig.from(flags));
  }

  /**
   * The flags' defaults, without Kubernetes or DNS discovery (those two types are then unavailable): where a
   * client built in code starts, changing what it needs with the withers below.
   */
  public static ClientConfig defaults() {
    return withoutDiscovery(Flags.none());
  }

  private static ClientConfig withoutDiscovery(Flags flags) {
    String httpHost = flags.text(FlagTable.HTTP_HOST);
    Flag.Text target = FlagTable.TARGET;
    HostPort address = HostPort.parse("--" + target.name() + " (or env " + target.env() + ")", flags.text(target));
    return limitsFrom(flags, httpHost, address, 2);
  }

  /**
   * The experiment's port and limits, read the same way in every mode that runs the client; a per-call
   * connection costs descriptorsPerConnection file descriptors in this process.
   */
  static ClientConfig limitsFrom(Flags flags, String httpHost, HostPort target, int descriptorsPerConnection) {
    return new ClientConfig(
        httpHost,
        flags.integer(FlagTable.HTTP_PORT),
        target,
        flags.integer(FlagTable.MAX_N),
        flags.integer(FlagTable.CALL_TIMEOUT_MS),
        flags.integer(FlagTable.MAX_CONNECTIONS, defaultMaxConnections(descriptorsPerConnection)),
        flags.integer(FlagTable.MAX_IN_FLIGHT, defaultMaxInFlight()),
        null,
        AttemptPolicy.from(flags),
        flags.integer(FlagTable.CONNECT_TIMEOUT_MS),
        KeepAlive.from(flags),
        flags.integer(FlagTable.DRAIN_TIMEOUT_MS),
        flags.integer(FlagTable.MAX_DURATION_S),
        BalancerConfig.from(flags),
        null);
  }

  /** The same client, its HTTP API on this address and port (0: any free one). */
  public ClientConfig withHttp(String host, int port) {
    return edit(d -> {
      d.httpHost = host;
      d.httpPort = port;
    });
  }

  /** The same client, Client and ClientWithReuseConn dialling this address. */
  public ClientConfig withTarget(HostPort target) {
    return edit(d -> d.target = target);
  }

  public ClientConfig withMaxN(int maxN) {
    return edit(d -> d.maxN = maxN);
  }

  public ClientConfig withCallTimeoutMs(int ms) {
    return edit(d -> d.callTimeoutMs = ms);
  }

  public ClientConfig withMaxConnections(int maxConnections) {
    return edit(d -> d.maxConnections = maxConnections);
  }

  public ClientConfig withMaxInFlight(int maxInFlight) {
    return edit(d -> d.maxInFlight = maxInFlight);
  }

  /** The same client, ClientWithKubeResolver discovering through the given API (null: that type is unavailable). */
  public ClientConfig withKube(KubeConfig kube) {
    return edit(d -> d.kube = kube);
  }

  /** The balancing types' retry policy (for calls that are not hedged). */
  public RetryPolicy retryPolicy() {
    return attempts.retry();
  }

  public ClientConfig withRetryPolicy(RetryPolicy policy) {
    return edit(d -> d.attempts = d.attempts.withRetry(policy));
  }

  public ClientConfig withHedging(HedgingPolicy hedging) {
    return edit(d -> d.attempts = d.attempts.withHedging(hedging));
  }

  public ClientConfig withThrottling(RetryThrottling throttling) {
    return edit(d -> d.attempts = d.attempts.withThrottling(throttling));
  }

  public ClientConfig withConnectTimeoutMs(int ms) {
    return edit(d -> d.connectTimeoutMs = ms);
  }

  public ClientConfig withKeepAlive(KeepAlive keepAlive) {
    return edit(d -> d.keepAlive = keepAlive);
  }

  /** The same client, round_robin and least_request ramping new endpoints up as {@code slowStart} says. */
  public ClientConfig withSlowStart(SlowStartConfig slowStart) {
    return edit(d -> d.balancer = d.balancer.withSlowStart(slowStart));
  }

  /** The same client with another place in its fleet (id, zone). */
  public ClientConfig withFleet(FleetConfig fleet) {
    return edit(d -> d.balancer = d.balancer.withFleet(fleet));
  }

  /** The zone this client runs in (null: none); its calls tell the pods (see {@code CallOptions#clientZone}). */
  public String zone() {
    return balancer.fleet().zone();
  }

  public ClientConfig withDrainTimeoutMs(int ms) {
    return edit(d -> d.drainTimeoutMs = ms);
  }

  /** The same client, with ClientWithDnsResolver resolving as given (null: that type is unavailable). */
  public ClientConfig withDns(DnsConfig dns) {
    return edit(d -> d.dns = dns);
  }

  /** A copy with one change: the withers name the setting, this lists the fields once. */
  private ClientConfig edit(Consumer<Draft> change) {
    Draft draft = new Draft(this);
    change.accept(draft);
    return draft.build();
  }

  /** The settings as fields a wither may set, between a record and the next. */
  private static final class Draft {
    String httpHost;
    int httpPort;
    HostPort target;
    int maxN;
    int callTimeoutMs;
    int maxConnections;
    int maxInFlight;
    KubeConfig kube;
    AttemptPolicy attempts;
    int connectTimeoutMs;
    KeepAlive keepAlive;
    int drainTimeoutMs;
    int maxDurationS;
    BalancerConfig balancer;
    DnsConfig dns;

    Draft(ClientConfig c) {
      httpHost = c.httpHost;
      httpPort = c.httpPort;
      target = c.target;
      maxN = c.maxN;
      callTimeoutMs = c.callTimeoutMs;
      maxConnections = c.maxConnections;
      maxInFlight = c.maxInFlight;
      kube = c.kube;
      attempts = c.attempts;
      connectTimeoutMs = c.connectTimeoutMs;
      keepAlive = c.keepAlive;
      drainTimeoutMs = c.drainTimeoutMs;
      maxDurationS = c.maxDurationS;
      balancer = c.balancer;
      dns = c.dns;
    }

    ClientConfig build() {
      return new ClientConfig(httpHost, httpPort, target, maxN, callTimeoutMs, maxConnections, maxInFlight, kube,
          attempts, connectTimeoutMs, keepAlive, drainTimeoutMs, maxDurationS, balancer, dns);
    }
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
   * {@code -Xmx512m} and n = 100 000 it ran out of memory with the cap ParallelGC lived with (43 000 calls of
   * 7 KB), and completed with 21 000: half the fit.
   *
   * <p>G1 (the JVM's default) copies every live call in each young pause, so the cap bounds its pauses: with
   * the JVM's default heap (6 GB here) and ReuseConn n = 1 000 000, 42 000 calls in flight made pauses of up to
   * 1.17 s (the process stopped answering {@code /healthz} in time); at 20 000 the longest was 0.54 s and the run
   * was faster (56 s against 66-80 s). Since a call holds a third of that heap, local mode runs the same 1 000 000
   * calls 60 000 at a time with pauses of at most 0.34 s (105 young pauses, 34 s, 0 failed).
   */
  static int maxInFlight(long maxHeap, List<String> collectors) {
    boolean zgc = collectors.stream().anyMatch(name -> name.startsWith("ZGC"));
    boolean g1 = collectors.stream().anyMatch(name -> name.startsWith("G1"));
    long fit = maxHeap / (zgc ? 2 * HEAP_PER_CALL : HEAP_PER_CALL);
    return (int) Math.max(MIN_IN_FLIGHT, Math.min(fit, g1 ? G1_MAX_IN_FLIGHT : 1_000_000));
  }
}
