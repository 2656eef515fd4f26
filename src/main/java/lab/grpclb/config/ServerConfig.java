package lab.grpclb.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Settings of {@code --mode server}. */
public record ServerConfig(String host, int port, String podIp, String podIpSource, int delayMs, Capacity capacity,
                           WarmUp warmUp, int drainTimeoutMs, ErrorInjection errors, MaxConnectionAge maxConnectionAge,
                           PingPolicy pings, int metricsPort, int maxConcurrentStreams) {
  /**
   * Heap one stream (a call in flight) may take on this server, headroom included: what
   * {@link #defaultMaxConcurrentStreams} divides the max heap by. Measured with {@code jmap -histo:live} on the greeter
   * at {@code -Xmx2g -XX:+UseParallelGC -XX:NewRatio=1} holding 10 000, 50 000 and 78 897 calls of ClientWithReuseConn
   * on one connection (10-20 s delay): 7.5 KB per call each time, 4.9 KB of it Vert.x's outbound queue per stream (a
   * JCTools MPSC queue with a 1 024-slot chunk, swapped since by {@code StreamQueues}: 2.9 KB a call now, with
   * 20 000 held), about 0.45 KB our own (call, reply, timer, handlers). The divisor is
   * 64 KiB, not 7.5 KB, because the heap must also carry what a burst allocates while it is read and answered: at the
   * image's flags ({@code -Xmx2g} gives a max heap of 1 707 MiB) a freshly started server taking 100 000 calls at once
   * from grpc-java on one connection (500 ms delay) failed calls at its 30 s deadline in 2 of 2 runs with 1 000 000
   * streams, in 2 of 4 with 54 624 (heap / 32 KiB), and in none of 4 with 32 768. At 64 KiB, one client holds at most
   * an eighth of the heap in calls here.
   */
  public static final long HEAP_PER_STREAM = 64 * 1024;
  /** HTTP/2's advice (RFC 9113 6.5.2): no less than 100 streams, so that a small heap still serves in parallel. */
  public static final int MIN_MAX_CONCURRENT_STREAMS = 100;
  /** The most the default gives, and what every pod advertised before the limit was derived (local mode's still). */
  public static final int MAX_MAX_CONCURRENT_STREAMS = 1_000_000;

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
    int streams = flags.integer(FlagTable.MAX_CONCURRENT_STREAMS, defaultMaxConcurrentStreams());
    return new ServerConfig(host, port, podIp, source, delayMs, Capacity.from(flags), WarmUp.from(flags), drainMs,
        ErrorInjection.from(flags), MaxConnectionAge.from(flags), PingPolicy.from(flags), metricsPort, streams);
  }

  /** {@code --max-concurrent-streams}' default for this JVM's max heap. */
  public static int defaultMaxConcurrentStreams() {
    return maxConcurrentStreams(Runtime.getRuntime().maxMemory());
  }

  /**
   * Streams per connection: {@code maxHeap / HEAP_PER_STREAM}, from {@link #MIN_MAX_CONCURRENT_STREAMS} to
   * {@link #MAX_MAX_CONCURRENT_STREAMS}, {@code maxHeap} as the JVM reports it ({@code Runtime.maxMemory()}, which
   * leaves out one survivor space). At the image's flags (ParallelGC, {@code -XX:NewRatio=1}): 27 312 at
   * {@code -Xmx2g} (1 707 MiB), 10 240 in deploy/server.yaml's pod (1 GiB limit, 75 %: 640 MiB); under G1: 32 768 at
   * {@code -Xmx2g}, 12 288 at {@code -Xmx768m}, 96 448 at the JVM's default heap on a 24 GiB machine (6 028 MiB).
   */
  static int maxConcurrentStreams(long maxHeap) {
    return (int) Math.max(MIN_MAX_CONCURRENT_STREAMS, Math.min(MAX_MAX_CONCURRENT_STREAMS, maxHeap / HEAP_PER_STREAM));
  }

  /**
   * A server for tests and the local cluster: one pod IP bound on its own loopback address, unlimited capacity, warm
   * from the start, the flags' drain timeout, no metrics port, no failures on purpose, no max connection age, and
   * {@link #MAX_MAX_CONCURRENT_STREAMS} streams per connection: local mode's pods share their heap with the client
   * that calls them, whose in-flight cap ({@code --max-in-flight}) is derived from that same heap.
   */
  public static ServerConfig forPod(String podIp, int port, int delayMs) {
    return new ServerConfig(podIp, port, podIp, "local cluster", delayMs, Capacity.UNLIMITED, WarmUp.OFF,
        FlagTable.SERVER_DRAIN_TIMEOUT_MS.defaultValue(), ErrorInjection.NONE, MaxConnectionAge.OFF,
        PingPolicy.GRPC_DEFAULT, 0, MAX_MAX_CONCURRENT_STREAMS);
  }

  /** The same server with this capacity and service time. */
  public ServerConfig withCapacity(Capacity limit) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, limit, warmUp, drainTimeoutMs, errors,
        maxConnectionAge, pings, metricsPort, maxConcurrentStreams);
  }

  /** The same server, cold at start as {@code cold} says. */
  public ServerConfig withWarmUp(WarmUp cold) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, cold, drainTimeoutMs, errors,
        maxConnectionAge, pings, metricsPort, maxConcurrentStreams);
  }

  /** The same server, its connections told to go away at this age. */
  public ServerConfig withMaxConnectionAge(MaxConnectionAge age) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, warmUp, drainTimeoutMs, errors, age,
        pings, metricsPort, maxConcurrentStreams);
  }

  /** The same server, permitting client pings as given. */
  public ServerConfig withPings(PingPolicy policy) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, warmUp, drainTimeoutMs, errors,
        maxConnectionAge, policy, metricsPort, maxConcurrentStreams);
  }

  /** The same server, advertising this SETTINGS_MAX_CONCURRENT_STREAMS on every connection. */
  public ServerConfig withMaxConcurrentStreams(int streams) {
    return new ServerConfig(host, port, podIp, podIpSource, delayMs, capacity, warmUp, drainTimeoutMs, errors,
        maxConnectionAge, pings, metricsPort, streams);
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
