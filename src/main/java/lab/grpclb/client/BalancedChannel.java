package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.OutlierDetector;
import lab.grpclb.balance.OutlierTracker;
import lab.grpclb.balance.Picker;
import lab.grpclb.balance.PickerSet;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * "ClientWithKubeResolver": one long-lived HTTP/2 connection per routable pod endpoint, and our pickers over
 * the READY ones only (grpc-java's {@code RoundRobinLoadBalancer} is the model). Every endpoint change, every
 * connection state change and every ejection builds the pickers anew, one per {@link LbPolicy}, and swaps them
 * in with one write, skipping the swap when nothing changed; endpoints that left are shut down once their
 * calls in flight end. A call picks with the default policy ({@code --lb}) or the one of its
 * {@link #withLb view}. When no endpoint is READY a call waits up to {@link #READY_WAIT_MS} for one, then fails
 * UNAVAILABLE saying why. Retries follow the {@link RetryPolicy} (see {@link BalancedCall}). With outlier
 * ejection on, a sweep every interval ejects endpoints that fail too often ({@link OutlierDetector}); an
 * ejected endpoint is not picked until it returns.
 */
public final class BalancedChannel implements GreeterChannel {
  private static final Logger LOG = Logger.getLogger(BalancedChannel.class.getName());
  /** How long a call waits for some endpoint to become READY before failing fast. */
  static final long READY_WAIT_MS = 1_000;

  private final Vertx vertx;
  /**
   * Every endpoint connection lives on this one event loop, the balancer's state changes run on it, and
   * experiments fire from it: no call ever crosses threads and nothing here needs a lock.
   */
  private final Context context;
  private final long callTimeoutMs;
  private final String deadlineReason;
  private final long connectTimeoutMs;
  private final RetryPolicy retryPolicy;
  private final BalancerConfig balancer;
  /** Null when outlier ejection is off; replaced only on the balancer's event loop ({@link #configureEjection}). */
  private volatile OutlierDetector outlierDetector;
  private final Supplier<String> unavailableReason;
  private final Map<String, EndpointConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger(ThreadLocalRandom.current().nextInt());
  private final LongAdder retriedTransparent = new LongAdder();
  private final LongAdder retriedPolicy = new LongAdder();
  private final AtomicLong openedByRemoved = new AtomicLong();
  /** Picks by {@link LbPolicy#ordinal()} (every attempt, retries too) and ejections so far, for /metrics. */
  private final LongAdder[] picks = java.util.stream.Stream.generate(LongAdder::new).limit(LbPolicy.values().length)
      .toArray(LongAdder[]::new);
  private final LongAdder ejectionsSoFar = new LongAdder();
  private volatile EndpointObserver observer = EndpointObserver.NONE;
  private volatile PickerSet<EndpointConnection> pickers = PickerSet.empty("no endpoints known yet");
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;
  /** The ejected endpoints as of the last sweep, for /status. */
  private volatile List<Ejection> ejections = List.of();
  private long sweepTimer = -1;
  /** One reading of both clocks, so that an ejection's times read the same in every sweep's snapshot. */
  private final Instant wallAtStart = Instant.now();
  private final long nanosAtStart = System.nanoTime();
  /** Told when a connection drops or an attempt fails (DNS discovery resolves again then); on {@link #context}. */
  private volatile Runnable onConnectionFailure = () -> { };
  /** The wait for a READY endpoint that calls with nowhere to go share; null when none is open. */
  private Promise<Void> readyWindow;

  /** An ejected endpoint: since when, and the sweep that will return it. */
  public record Ejection(String endpoint, Instant since, Instant returnsAt, int multiplier) {
  }

  public BalancedChannel(Vertx vertx, long callTimeoutMs, long connectTimeoutMs, RetryPolicy retryPolicy,
                         BalancerConfig balancer, Supplier<String> unavailableReason) {
    this.vertx = vertx;
    this.context = Http2Client.newEventLoop(vertx);
    this.callTimeoutMs = callTimeoutMs;
    this.deadlineReason = GrpcCall.deadlineReason(callTimeoutMs); // once, not a string per call
    this.connectTimeoutMs = connectTimeoutMs;
    this.retryPolicy = retryPolicy;
    this.balancer = balancer;
    this.unavailableReason = unavailableReason;
    configureEjection(balancer.ejection());
  }

  /**
   * Switches outlier ejection on, off or to new settings while calls flow, as a pushed service config would
   * (gRFC A50: without a config every endpoint is returned). The sweep runs on the balancer's event loop like
   * everything it reads.
   */
  public Future<Void> configureEjection(OutlierEjection ejection) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = -1;
      if (outlierDetector != null) {
        OutlierDetector.returnAll(routableConnections().stream().map(EndpointConnection::outliers).toList());
        ejections = List.of();
        updateBalancingState();
      }
      outlierDetector = ejection.enabled() ? new OutlierDetector(ejection) : null;
      if (outlierDetector != null) {
        sweepTimer = vertx.setPeriodic(ejection.intervalMs(), id -> sweepOutliers());
      }
      done.complete();
    });
    return done.future();
  }

  /** Takes a new endpoint snapshot (from discovery's thread): applied on the balancer's event loop. */
  public void update(EndpointSet set) {
    context.runOnContext(v -> apply(set));
  }

  private void apply(EndpointSet set) {
    List<String> keep = new ArrayList<>();
    for (Endpoint endpoint : set.routable()) {
      EndpointConnection connection = connections.get(endpoint.key());
      if (connection == null) {
        connection = new EndpointConnection(vertx, context, () -> Http2Client.create(vertx, connectTimeoutMs),
            endpoint.address(), connectTimeoutMs, this::stateChanged,
            new EndpointLoad(balancer.ewmaDecayMs(), balancer.ewmaInitialRttMs(), System::nanoTime));
        connections.put(endpoint.key(), connection);
        observer.added(connection);
      }
      connection.requestConnection(); // connect at once: the first calls should not wait for a handshake
      keep.add(endpoint.key());
    }
    endpoints = set;
    connections.entrySet().removeIf(entry -> {
      if (keep.contains(entry.getKey())) {
        return false;
      }
      EndpointConnection leaving = entry.getValue();
      openedByRemoved.addAndGet(leaving.connectionsOpened());
      leaving.shutdown(callTimeoutMs) // GOAWAY; closes when its calls in flight have ended
          .onComplete(ar -> context.runOnContext(v -> observer.retired(leaving)));
      return true;
    });
    updateBalancingState();
  }

  private void stateChanged(EndpointConnection connection) {
    if (connections.get(connection.key()) == connection) {
      updateBalancingState();
      ConnectivityState state = connection.state();
      if (state == ConnectivityState.IDLE || state == ConnectivityState.TRANSIENT_FAILURE) {
        onConnectionFailure.run(); // IDLE only ever follows READY: the connection dropped or was sent away
      }
    }
  }

  /** Runs {@code listener} on the balancer's event loop whenever a connection drops or a connection attempt fails. */
  public void onConnectionFailure(Runnable listener) {
    onConnectionFailure = listener;
  }

  /** The pickers over READY endpoints not ejected, in the snapshot's order; swapped only when they differ. */
  private void updateBalancingState() {
    List<EndpointConnection> ready = new ArrayList<>();
    List<EndpointConnection> pickable = new ArrayList<>();
    for (EndpointConnection connection : routableConnections()) {
      if (connection.state() == ConnectivityState.READY) {
        ready.add(connection);
        if (!connection.outliers().ejected()) {
          pickable.add(connection);
        }
      }
    }
    PickerSet<EndpointConnection> next;
    if (!pickable.isEmpty()) {
      next = PickerSet.over(pickable, rotation);
    } else if (!ready.isEmpty()) {
      next = PickerSet.empty("every READY endpoint is ejected by outlier detection: "
          + ready.stream().map(EndpointConnection::key).collect(Collectors.joining(", ")));
    } else {
      next = PickerSet.empty(whyNoneReady());
    }
    if (!next.equals(pickers)) {
      pickers = next;
    }
    if (!pickable.isEmpty() && readyWindow != null) {
      readyWindow.tryComplete(); // the calls waiting for an endpoint go now
    }
  }

  /** The connections of the routable endpoints, in the snapshot's order. */
  private List<EndpointConnection> routableConnections() {
    List<EndpointConnection> routable = new ArrayList<>();
    for (Endpoint endpoint : endpoints.routable()) {
      EndpointConnection connection = connections.get(endpoint.key());
      if (connection != null) {
        routable.add(connection);
      }
    }
    return routable;
  }

  /** One outlier-detection sweep over every routable endpoint; the pickers change only if an ejection did. */
  private void sweepOutliers() {
    OutlierDetector outlierDetector = this.outlierDetector;
    List<EndpointConnection> all = routableConnections();
    List<String> before = ejections.stream().map(Ejection::endpoint).toList();
    long now = System.nanoTime();
    if (outlierDetector.sweep(all.stream().map(EndpointConnection::outliers).toList(), now)) {
      updateBalancingState();
    }
    List<Ejection> after = new ArrayList<>();
    for (EndpointConnection connection : all) {
      OutlierTracker tracker = connection.outliers();
      if (tracker.ejected()) {
        Ejection ejection = new Ejection(connection.key(), wallClock(tracker.ejectedAtNanos()),
            wallClock(outlierDetector.returnsAtNanos(tracker)), tracker.multiplier());
        after.add(ejection);
        if (!before.contains(ejection.endpoint())) {
          ejectionsSoFar.increment();
          LOG.info(() -> "endpoint " + ejection.endpoint() + " ejected: " + Math.round(tracker.failurePercent())
              + " % of its " + tracker.volume() + " calls failed in the last interval; back at " + ejection.returnsAt());
        }
      }
    }
    ejections = List.copyOf(after);
    before.stream().filter(key -> after.stream().noneMatch(e -> e.endpoint().equals(key)))
        .forEach(key -> LOG.info(() -> "endpoint " + key + " no longer ejected")); // returned, or left the Service
  }

  private Instant wallClock(long nanos) {
    return wallAtStart.plusNanos(nanos - nanosAtStart);
  }

  private String whyNoneReady() {
    if (endpoints.all().isEmpty()) {
      return "the Service has no endpoints";
    }
    if (endpoints.routable().isEmpty()) {
      return "no endpoint is ready or serving";
    }
    return "no endpoint is READY: " + endpoints.routable().stream().map(e -> {
      EndpointConnection connection = connections.get(e.key());
      EndpointConnection.Health health = connection == null ? null : connection.health();
      return e.key() + " " + (health == null ? "unknown" : health.state()
          + (health.lastError() == null ? "" : " (" + health.lastError() + ")"));
    }).collect(Collectors.joining(", "));
  }

  /** One call, picked with the default policy ({@code --lb}). */
  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return sayHello(request, balancer.lb(), cancellation);
  }

  /** One call, its endpoint (and any retry's) picked with {@code policy}. */
  public Future<HelloReply> sayHello(HelloRequest request, LbPolicy policy, Cancellation cancellation) {
    return new BalancedCall(this, request, policy, System.nanoTime() + callTimeoutMs * 1_000_000,
        deadlineReason, cancellation).start();
  }

  /** This channel picking with {@code policy}; itself for the default policy. */
  @Override
  public GreeterChannel withLb(LbPolicy policy) {
    return policy == balancer.lb() ? this : new PolicyView(this, policy);
  }

  Picker<EndpointConnection> picker(LbPolicy policy) {
    return pickers.get(policy);
  }

  /** An attempt went to an endpoint {@code policy} picked; on {@link #context}, one uncontended add. */
  void countPick(LbPolicy policy) {
    picks[policy.ordinal()].increment();
  }

  /** Attempts {@code policy} has picked an endpoint for since the channel was created. */
  public long picks(LbPolicy policy) {
    return picks[policy.ordinal()].sum();
  }

  /** Times outlier detection ejected an endpoint since the channel was created. */
  public long ejectionsSoFar() {
    return ejectionsSoFar.sum();
  }

  /** Set before the first endpoint snapshot arrives; told of every connection opened and retired from then on. */
  public void observeEndpoints(EndpointObserver observer) {
    this.observer = observer;
  }

  /** Endpoint connections in {@code state} now (read from another thread, a moment old at worst). */
  public int endpointsIn(ConnectivityState state) {
    return (int) connections.values().stream().filter(c -> c.state() == state).count();
  }

  /** The Service's endpoints as discovery last saw them, routable or not. */
  public List<Endpoint> knownEndpoints() {
    return endpoints.all();
  }

  /**
   * Completes when some endpoint is READY, or when the current wait window closes: one window (and one timer)
   * at a time, at most {@link #READY_WAIT_MS} and never longer than a call's timeout, shared by every call
   * that finds no endpoint, so that waiting costs nothing per call. On {@link #context} only.
   */
  Future<Void> awaitSomeReady() {
    if (pickers.hasTargets()) {
      return Future.succeededFuture();
    }
    if (readyWindow == null) {
      Promise<Void> window = Promise.promise();
      readyWindow = window;
      long timer = vertx.setTimer(Math.max(1, Math.min(READY_WAIT_MS, callTimeoutMs)), id -> window.tryComplete());
      window.future().onComplete(v -> {
        vertx.cancelTimer(timer);
        readyWindow = null;
      });
    }
    return readyWindow.future();
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  void countTransparentRetry() {
    retriedTransparent.increment();
  }

  void countPolicyRetry() {
    retriedPolicy.increment();
  }

  /** Experiments start with a fresh chance for endpoints waiting out a backoff (grpc's resetConnectBackoff). */
  @Override
  public Future<Void> warmUp() {
    connections.values().forEach(EndpointConnection::resetBackoff);
    return Future.succeededFuture();
  }

  @Override
  public Context preferredContext() {
    return context;
  }

  @Override
  public String unavailableReason() {
    return unavailableReason.get();
  }

  @Override
  public List<String> endpoints() {
    return pickers.roundRobin().targets().stream().map(EndpointConnection::key).toList();
  }

  @Override
  public Retries retries() {
    return new Retries(retriedTransparent.sum(), retriedPolicy.sum());
  }

  /** The endpoints as discovery sees them, with each one's connection state, calls in flight and ejection. */
  public JsonArray describe() {
    EndpointSet current = endpoints;
    List<String> ejected = ejections.stream().map(Ejection::endpoint).toList();
    JsonArray described = new JsonArray();
    for (Endpoint endpoint : current.all()) {
      EndpointConnection connection = connections.get(endpoint.key());
      EndpointConnection.Health health = connection == null ? null : connection.health();
      described.add(endpoint.toJson()
          .put("routable", current.routable().contains(endpoint))
          .put("connected", health != null && health.state() == ConnectivityState.READY)
          .put("state", health == null ? null : health.state().name())
          .put("last_error", health == null ? null : health.lastError())
          .put("next_reconnect_at", health == null || health.nextAttemptAt() == null ? null : health.nextAttemptAt().toString())
          .put("in_flight", connection == null ? 0 : connection.callsInFlight())
          .put("ejected", ejected.contains(endpoint.key())));
    }
    return described;
  }

  /** The ejected endpoints as of the last sweep (none while outlier ejection is off). */
  public List<Ejection> ejections() {
    return ejections;
  }

  /** For /status: the default policy, and outlier ejection's settings and ejected endpoints (null when off). */
  public JsonObject describeBalancer() {
    OutlierDetector outlierDetector = this.outlierDetector;
    JsonObject status = new JsonObject().put("lb", balancer.lb().wireName());
    if (outlierDetector == null) {
      return status.putNull("outlier_ejection");
    }
    OutlierEjection settings = outlierDetector.settings();
    JsonArray ejected = new JsonArray();
    ejections.forEach(e -> ejected.add(new JsonObject().put("endpoint", e.endpoint()).put("since", e.since().toString())
        .put("returns_at", e.returnsAt().toString()).put("multiplier", e.multiplier())));
    return status.put("outlier_ejection", new JsonObject()
        .put("interval_ms", settings.intervalMs())
        .put("threshold_percent", settings.thresholdPercent())
        .put("minimum_hosts", settings.minimumHosts())
        .put("request_volume", settings.requestVolume())
        .put("base_ejection_ms", settings.baseEjectionMs())
        .put("max_ejection_ms", settings.maxEjectionMs())
        .put("max_ejection_percent", settings.maxEjectionPercent())
        .put("ejected", ejected));
  }

  @Override
  public long connectionsOpened() {
    return openedByRemoved.get() + connections.values().stream().mapToLong(EndpointConnection::connectionsOpened).sum();
  }

  @Override
  public int connectionsOpen() {
    return (int) connections.values().stream().filter(EndpointConnection::isOpen).count();
  }

  @Override
  public Future<Void> close() {
    context.runOnContext(v -> vertx.cancelTimer(sweepTimer));
    List<Future<Void>> closing = connections.values().stream().map(c -> c.shutdown(0)).toList();
    return Future.join(closing).mapEmpty();
  }
}
