package lab.grpclb.metrics;

import experiment.Experiment.HelloReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.call.CallFailure;

/**
 * One client type's calls: by pod IP (the reply's {@code ip_address}, as {@code count_per_ip} counts them, or the
 * failed attempt's endpoint) and gRPC status, their latency, and the type's calls in flight. Each pod's meters are
 * registered once and held here, so a call costs a map read, a counter increment and a histogram record, with no
 * tag lookup. At most {@link #MAX_PODS} pod IPs per type get their own series (the rest share {@link #OTHER});
 * the balancer removes a pod's series when its endpoint leaves the Service.
 */
public final class CallMeters {
  static final int MAX_PODS = 256;
  static final String OTHER = "other";
  /** A failure before any pod was chosen (no endpoint READY, a deadline while waiting). */
  static final String NO_POD = "none";
  /** Prometheus histogram buckets: from a fast local reply to a 30 s call timeout, the write-up's 500 ms inside. */
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofMillis(600), Duration.ofMillis(750), Duration.ofSeconds(1), Duration.ofMillis(2_500),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
  private static final GrpcStatus[] STATUSES = GrpcStatus.values();

  private final MeterRegistry registry;
  private final String type;
  private final Map<String, PodMeters> pods = new ConcurrentHashMap<>();
  private final LongAdder inFlight = new LongAdder();

  CallMeters(MeterRegistry registry, String type) {
    this.registry = registry;
    this.type = type;
    Gauge.builder("grpclb.client.calls.in.flight", inFlight, LongAdder::sum).tag("type", type)
        .description("Calls sent and not ended yet").register(registry);
  }

  void started() {
    inFlight.increment();
  }

  /** On the event loop where the call ended. */
  void ended(AsyncResult<HelloReply> result, long startNanos) {
    long nanos = System.nanoTime() - startNanos;
    inFlight.decrement();
    String ip;
    GrpcStatus status;
    if (result.succeeded()) {
      ip = result.result().getIpAddress();
      status = GrpcStatus.OK;
    } else {
      CallFailure failure = CallFailure.of(result.cause());
      ip = failure.endpoint() == null ? NO_POD : failure.endpoint();
      status = failure.status();
    }
    PodMeters pod = pod(ip);
    pod.status(status).increment();
    pod.latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The balancer added an endpoint for this pod: its OK count and latency series exist from now, at 0, so Prometheus
   * scrapes a 0 before the first call and {@code rate}/{@code increase} count every call from the first (a series
   * born with its first calls loses them, all of a burst shorter than a scrape interval). Other statuses still
   * appear with their first call.
   */
  void known(String ip) {
    pod(ip).status(GrpcStatus.OK);
  }

  private PodMeters pod(String ip) {
    PodMeters known = pods.get(ip);
    if (known != null) {
      return known;
    }
    String key = pods.size() < MAX_PODS ? ip : OTHER;
    return pods.computeIfAbsent(key, PodMeters::new);
  }

  /** The pod left the Service: its series go (a pod that comes back starts again from zero, as Prometheus expects). */
  void remove(String ip) {
    PodMeters gone = pods.remove(ip);
    if (gone != null) {
      registry.remove(gone.latency);
      for (Counter counter : gone.byStatus) {
        if (counter != null) {
          registry.remove(counter);
        }
      }
    }
  }

  /** One pod's meters; a status's counter is registered the first time that status ends a call there. */
  private final class PodMeters {
    private final String ip;
    private final Timer latency;
    /** By {@link GrpcStatus#ordinal()}; a racing first registration returns the same counter, so no lock. */
    private final Counter[] byStatus = new Counter[STATUSES.length];

    PodMeters(String ip) {
      this.ip = ip;
      this.latency = Timer.builder("grpclb.client.call.duration").tags("type", type, "pod_ip", ip)
          .description("Call latency, sent to ended, by the pod that answered")
          .serviceLevelObjectives(BUCKETS).register(registry);
    }

    Counter status(GrpcStatus status) {
      Counter counter = byStatus[status.ordinal()];
      if (counter == null) {
        counter = Counter.builder("grpclb.client.calls").tags("type", type, "pod_ip", ip, "status", status.name())
            .description("Calls ended, by the pod that answered and gRPC status").register(registry);
        byStatus[status.ordinal()] = counter;
      }
      return counter;
    }
  }
}
