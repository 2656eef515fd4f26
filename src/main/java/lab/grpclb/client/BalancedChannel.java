package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.Picker;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * "ClientWithKubeResolver": one long-lived HTTP/2 connection per routable pod endpoint, and our round-robin
 * picker over the READY ones only (grpc-java's {@code RoundRobinLoadBalancer} is the model). Every endpoint
 * change and every connection state change builds the picker anew and swaps it in, skipping the swap when
 * nothing changed; endpoints that left are shut down once their calls in flight end. When no endpoint is
 * READY a call waits up to {@link #READY_WAIT_MS} for one, then fails UNAVAILABLE saying why. Retries follow
 * the {@link RetryPolicy} (see {@link BalancedCall}).
 */
public final class BalancedChannel implements GreeterChannel {
  /** How long a call waits for some endpoint to become READY before failing fast. */
  static final long READY_WAIT_MS = 1_000;

  private final Vertx vertx;
  /**
   * Every endpoint connection lives on this one event loop, the balancer's state changes run on it, and
   * experiments fire from it: no call ever crosses threads and nothing here needs a lock.
   */
  private final Context context;
  private final long callTimeoutMs;
  private final long connectTimeoutMs;
  private final RetryPolicy retryPolicy;
  private final Supplier<String> unavailableReason;
  private final Map<String, EndpointConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger(ThreadLocalRandom.current().nextInt());
  private final LongAdder retriedTransparent = new LongAdder();
  private final LongAdder retriedPolicy = new LongAdder();
  private final AtomicLong openedByRemoved = new AtomicLong();
  private volatile Picker<EndpointConnection> picker = new Picker.Empty<>("no endpoints known yet");
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;
  /** Told when a connection drops or an attempt fails (DNS discovery resolves again then); on {@link #context}. */
  private volatile Runnable onConnectionFailure = () -> { };
  /** The wait for a READY endpoint that calls with nowhere to go share; null when none is open. */
  private Promise<Void> readyWindow;

  public BalancedChannel(Vertx vertx, long callTimeoutMs, long connectTimeoutMs, RetryPolicy retryPolicy,
                         Supplier<String> unavailableReason) {
    this.vertx = vertx;
    this.context = Http2Client.newEventLoop(vertx);
    this.callTimeoutMs = callTimeoutMs;
    this.connectTimeoutMs = connectTimeoutMs;
    this.retryPolicy = retryPolicy;
    this.unavailableReason = unavailableReason;
  }

  /** Takes a new endpoint snapshot (from discovery's thread): applied on the balancer's event loop. */
  public void update(EndpointSet set) {
    context.runOnContext(v -> apply(set));
  }

  private void apply(EndpointSet set) {
    List<String> keep = new ArrayList<>();
    for (Endpoint endpoint : set.routable()) {
      EndpointConnection connection = connections.computeIfAbsent(endpoint.key(), key -> new EndpointConnection(
          vertx, context, () -> Http2Client.create(vertx, connectTimeoutMs), endpoint.address(), connectTimeoutMs,
          this::stateChanged));
      connection.requestConnection(); // connect at once: the first calls should not wait for a handshake
      keep.add(endpoint.key());
    }
    endpoints = set;
    connections.entrySet().removeIf(entry -> {
      if (keep.contains(entry.getKey())) {
        return false;
      }
      openedByRemoved.addAndGet(entry.getValue().connectionsOpened());
      entry.getValue().shutdown(callTimeoutMs); // GOAWAY; closes when its calls in flight have ended
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

  /** The picker over READY endpoints, in the snapshot's order; swapped only when it differs. */
  private void updateBalancingState() {
    List<EndpointConnection> ready = new ArrayList<>();
    for (Endpoint endpoint : endpoints.routable()) {
      EndpointConnection connection = connections.get(endpoint.key());
      if (connection != null && connection.state() == ConnectivityState.READY) {
        ready.add(connection);
      }
    }
    Picker<EndpointConnection> next = ready.isEmpty()
        ? new Picker.Empty<>(whyNoneReady())
        : new Picker.RoundRobin<>(ready, rotation);
    if (!next.equals(picker)) {
      picker = next;
    }
    if (!ready.isEmpty() && readyWindow != null) {
      readyWindow.tryComplete(); // the calls waiting for an endpoint go now
    }
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

  @Override
  public Future<HelloReply> sayHello(HelloRequest request) {
    return new BalancedCall(this, request, System.nanoTime() + callTimeoutMs * 1_000_000,
        GrpcCall.deadlineReason(callTimeoutMs)).start();
  }

  Picker<EndpointConnection> picker() {
    return picker;
  }

  /**
   * Completes when some endpoint is READY, or when the current wait window closes: one window (and one timer)
   * at a time, at most {@link #READY_WAIT_MS} and never longer than a call's timeout, shared by every call
   * that finds no endpoint, so that waiting costs nothing per call. On {@link #context} only.
   */
  Future<Void> awaitSomeReady() {
    if (picker instanceof Picker.RoundRobin<EndpointConnection>) {
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
    return picker.targets().stream().map(EndpointConnection::key).toList();
  }

  @Override
  public Retries retries() {
    return new Retries(retriedTransparent.sum(), retriedPolicy.sum());
  }

  /** The endpoints as discovery sees them, with each one's connection state and calls in flight. */
  public JsonArray describe() {
    EndpointSet current = endpoints;
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
          .put("in_flight", connection == null ? 0 : connection.callsInFlight()));
    }
    return described;
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
    List<Future<Void>> closing = connections.values().stream().map(c -> c.shutdown(0)).toList();
    return Future.join(closing).mapEmpty();
  }
}
