package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonArray;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import lab.grpclb.balance.Picker;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * "ClientWithKubeResolver": one long-lived HTTP/2 connection per routable pod endpoint and our round-robin
 * picker over them. Every endpoint change builds a new picker and swaps it in; connections to endpoints
 * that left are shut down once their calls in flight end. A call that a dying pod breaks before replying
 * (UNAVAILABLE) is retried once on another endpoint; SayHello is idempotent.
 */
public final class BalancedChannel implements GreeterChannel {
  private final Vertx vertx;
  /**
   * Every endpoint connection lives on this one event loop, and experiments fire from it: no call ever
   * crosses threads. One loop carries 100 000+ calls a second; hops between loops cost more than they gave.
   */
  private final Context context;
  private final HttpClientAgent agent;
  private final long callTimeoutMs;
  private final Supplier<String> unavailableReason;
  private final Map<String, EndpointConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger(ThreadLocalRandom.current().nextInt());
  private final LongAdder retried = new LongAdder();
  private final AtomicLong openedByRemoved = new AtomicLong();
  private volatile Picker<EndpointConnection> picker = new Picker.Empty<>("no endpoints known yet");
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;

  public BalancedChannel(Vertx vertx, long callTimeoutMs, Supplier<String> unavailableReason) {
    this.vertx = vertx;
    this.context = Http2Client.newEventLoop(vertx);
    this.agent = Http2Client.create(vertx);
    this.callTimeoutMs = callTimeoutMs;
    this.unavailableReason = unavailableReason;
  }

  /** Takes a new endpoint snapshot: connects to new endpoints, swaps the picker, retires connections. */
  public void update(EndpointSet set) {
    List<EndpointConnection> targets = new ArrayList<>();
    for (Endpoint endpoint : set.routable()) {
      EndpointConnection connection = connections.computeIfAbsent(endpoint.key(),
          key -> new EndpointConnection(vertx, context, agent, endpoint.address(), callTimeoutMs));
      connection.connect(); // warm: the first calls should not wait for a handshake
      targets.add(connection);
    }
    endpoints = set;
    picker = targets.isEmpty()
        ? new Picker.Empty<>(set.all().isEmpty() ? "the Service has no endpoints" : "no endpoint is ready or serving")
        : new Picker.RoundRobin<>(targets, rotation);
    connections.entrySet().removeIf(entry -> {
      if (targets.contains(entry.getValue())) {
        return false;
      }
      openedByRemoved.addAndGet(entry.getValue().connectionsOpened());
      entry.getValue().shutdown(callTimeoutMs); // GOAWAY; closes when its calls in flight have ended
      return true;
    });
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request) {
    Picker<EndpointConnection> current = picker;
    EndpointConnection first = current.pick();
    if (first == null) {
      String reason = current instanceof Picker.Empty<EndpointConnection> empty ? empty.reason() : "no endpoint";
      return Future.failedFuture(new CallFailure(GrpcStatus.UNAVAILABLE, reason));
    }
    return first.sayHello(request).recover(err -> {
      CallFailure failure = CallFailure.of(err);
      EndpointConnection other = failure.transportFailure() ? picker.pickOtherThan(first) : null;
      if (other == null || other == first) {
        return Future.failedFuture(failure);
      }
      retried.increment();
      return other.sayHello(request);
    });
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
    return picker.targets().stream().map(c -> c.address().host() + ":" + c.address().port()).toList();
  }

  @Override
  public long retried() {
    return retried.sum();
  }

  /** The endpoints as discovery sees them, with each one's connection state and calls in flight. */
  public JsonArray describe() {
    JsonArray described = new JsonArray();
    for (Endpoint endpoint : endpoints.all()) {
      EndpointConnection connection = connections.get(endpoint.key());
      described.add(endpoint.toJson()
          .put("routable", endpoints.routable().contains(endpoint))
          .put("connected", connection != null && connection.isOpen())
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
    return Future.join(closing).transform(ar -> agent.close());
  }
}
