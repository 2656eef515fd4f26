package lab.grpclb.discovery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;
import lab.grpclb.config.DnsConfig;

/**
 * Discovery for ClientWithDnsResolver, the way gRPC's {@code dns:///} resolver works: the headless Service's name
 * resolved to A records with Vert.x's DnsClient against one DNS server, again every {@code --dns-refresh-s} and
 * when a connection fails, and never more often than once per {@code --dns-min-interval-s} (grpc-go's 30 s). A
 * failed or empty answer keeps the last good addresses, as gRPC does; a failure is tried again with backoff, still
 * no sooner than the minimum interval. Everything runs on one event loop, the balancer's.
 */
public final class DnsDiscovery implements Resolver {
  private static final Logger LOG = Logger.getLogger(DnsDiscovery.class.getName());
  static final int QUERY_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final Context context;
  private final DnsConfig config;
  private final int port;
  private final EndpointsListener listener;
  private final DnsClient dns;
  private final Backoff failureBackoff = new Backoff(1_000, 120_000);

  // On context only.
  private long timer = -1;
  private long timerAtNanos;
  private long lastStartNanos;
  private boolean resolving;
  private boolean stopped;

  // Read by /status from any thread.
  private volatile Resolution lastGood;
  private volatile boolean failing;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private volatile Instant nextAt;
  private volatile long resolutions;
  private volatile long failures;

  /** One successful resolution: when, the addresses, and how long the answer took. */
  public record Resolution(Instant at, List<String> ips, long tookMs) {
  }

  /** {@code port} is where the pods listen (A records carry no port); {@code context} is the balancer's. */
  public DnsDiscovery(Vertx vertx, Context context, DnsConfig config, int port, EndpointsListener listener) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.port = port;
    this.listener = listener;
    this.dns = vertx.createDnsClient(new DnsClientOptions().setHost(config.server().host())
        .setPort(config.server().port()).setQueryTimeout(QUERY_TIMEOUT_MS).setRecursionDesired(true));
  }

  @Override
  public void start() {
    context.runOnContext(v -> resolveNow());
  }

  /** A connection failed: resolve again as soon as the minimum interval allows. From any thread. */
  @Override
  public void requestResolution() {
    context.runOnContext(v -> {
      if (!resolving) { // the answer on its way is as fresh as the one asked for
        scheduleAt(Math.max(System.nanoTime(), lastStartNanos + seconds(config.minIntervalSeconds())));
      }
    });
  }

  /** Plans the next resolution at this time, unless one is already planned sooner. */
  private void scheduleAt(long atNanos) {
    if (stopped || (timer >= 0 && timerAtNanos <= atNanos)) {
      return;
    }
    cancelTimer();
    long delayMs = Math.max(1, (atNanos - System.nanoTime()) / 1_000_000);
    timerAtNanos = atNanos;
    nextAt = Instant.now().plusMillis(delayMs);
    timer = vertx.setTimer(delayMs, id -> {
      timer = -1;
      resolveNow();
    });
  }

  private void resolveNow() {
    if (stopped) {
      return;
    }
    cancelTimer();
    resolving = true;
    long started = System.nanoTime();
    lastStartNanos = started;
    dns.resolveA(config.name()).onComplete(ar -> {
      resolving = false;
      resolutions++;
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      if (ar.succeeded() && !ar.result().isEmpty()) {
        succeeded(ar.result().stream().sorted().toList(), tookMs);
        scheduleAt(started + seconds(config.refreshSeconds()));
      } else {
        failed(ar.succeeded() ? "no A records for " + config.name() : describe(ar.cause()));
        scheduleAt(Math.max(started + seconds(config.minIntervalSeconds()),
            System.nanoTime() + failureBackoff.nextDelayMs() * 1_000_000));
      }
    });
  }

  private void succeeded(List<String> ips, long tookMs) {
    Resolution previous = lastGood;
    lastGood = new Resolution(Instant.now(), ips, tookMs);
    failureBackoff.reset();
    failing = false;
    if (previous == null || !previous.ips().equals(ips)) {
      LOG.info(() -> "dns: " + config.name() + " -> " + ips + (previous == null ? "" : " (was " + previous.ips() + ")"));
      List<Endpoint> endpoints = ips.stream().map(ip -> new Endpoint(ip, port, "", true, true, false)).toList();
      listener.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
    }
  }

  /** Keeps the last good addresses; one log line when failing starts, none per retry. */
  private void failed(String error) {
    failures++;
    if (!failing) {
      failing = true;
      LOG.warning(() -> "dns: resolving " + config.name() + " at " + config.server() + " failed: " + error
          + (lastGood == null ? "" : "; keeping " + lastGood.ips()));
    }
    lastError = error;
    lastErrorAt = Instant.now();
  }

  private String describe(Throwable error) {
    if (error instanceof DnsException dnsError) {
      return dnsError.code() + " from " + config.server();
    }
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    nextAt = null;
  }

  private static long seconds(int s) {
    return s * 1_000_000_000L;
  }

  /** Null when calls can be routed (some resolution succeeded); else what is wrong and what to check. */
  @Override
  public String unavailableReason() {
    if (stopped) {
      return "DNS discovery is stopped: the client is closing";
    }
    if (lastGood == null) {
      return "the name " + config.name() + " has not resolved yet at DNS server " + config.server()
          + (lastError == null ? "" : " (last error: " + lastError + ")")
          + "; check --dns-name and --dns-server, and GET /status";
    }
    return null;
  }

  /** For GET /status: the name, the server, the last good resolution, the next one, and the errors. */
  @Override
  public Future<JsonObject> status() {
    Resolution good = lastGood;
    Instant next = nextAt;
    Instant errorAt = lastErrorAt;
    return Future.succeededFuture(new JsonObject()
        .put("name", config.name())
        .put("server", config.server().toString())
        .put("server_source", config.serverSource())
        .put("port", port)
        .put("refresh_s", config.refreshSeconds())
        .put("min_interval_s", config.minIntervalSeconds())
        .put("last_resolution", good == null ? null : new JsonObject()
            .put("at", good.at().toString()).put("ips", new JsonArray(good.ips())).put("took_ms", good.tookMs()))
        .put("next_resolution_at", next == null ? null : next.toString())
        .put("resolutions", resolutions)
        .put("failures", failures)
        .put("failing", failing)
        .put("last_error", lastError)
        .put("last_error_at", errorAt == null ? null : errorAt.toString()));
  }

  @Override
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      cancelTimer();
      dns.close().onComplete(closed);
    });
    return closed.future();
  }
}
