package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import lab.grpclb.balance.CallRoute;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.EndpointWeight;
import lab.grpclb.balance.LoadBalancer;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.balance.PolicyRouter;
import lab.grpclb.balance.ReadyWait;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.balance.SubchannelPicker;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.call.GrpcCall;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.discovery.EndpointsListener;

/**
 * "ClientWithKubeResolver" and "ClientWithDnsResolver": the channel around the load balancer, as grpc-java's
 * {@code ManagedChannelImpl} is around its policy. It gives the policy real connections ({@link EndpointConnection}),
 * keeps the picker the policy last published, sends each call where it picks ({@link BalancedCall}), and holds calls
 * that find nothing in a {@link ReadyWait}. The policy is outlier detection around one child per {@link LbPolicy}
 * ({@link PolicyRouter}). Calls are retried or hedged by the {@link AttemptPolicy}, under one {@link RetryThrottle}
 * for the channel. Everything runs on one event loop: no call crosses threads and nothing needs a lock.
 */
public final class BalancedChannel implements GreeterChannel, EndpointsListener {
  /** How long a call waits for some endpoint to become READY before failing fast. */
  static final long READY_WAIT_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final Scheduler scheduler;
  private final long callTimeoutMs;
  private final String deadlineReason;
  private final long connectTimeoutMs;
  private final ClientKeepAlive keepAlive;
  private final AttemptPolicy attempts;
  private final BalancerConfig balancer;
  private final Supplier<String> unavailableReason;
  /** One wait per route a call has waited on; a handful (the policies, and the fleet policies requests asked for). */
  private final Map<CallRoute, ReadyWait> readyWaits = new HashMap<>();
  private final long readyWaitMs;
  private final OutlierDetectionBalancer policy;
  /** The child of {@link #policy}, set as that is built: the status page reads weighted_round_robin's weights here. */
  private PolicyRouter router;
  private final CallRouting routing;
  private final RetryThrottle throttle;
  private final CallCounters counters = new CallCounters();
  /** The connections the policy holds, by endpoint; read by the status page and metrics from other threads. */
  private final Map<String, EndpointConnection> connections = new ConcurrentHashMap<>();
  private final LongAdder openedByRetired = new LongAdder();
  /** Written on the event loop; read by {@link #endpoints()} and metrics from other threads. */
  private volatile SubchannelPicker picker = SubchannelPicker.none("no endpoints known yet");
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;
  private volatile EndpointObserver observer = EndpointObserver.NONE;
  private volatile Runnable onConnectionFailure = () -> { };

  public BalancedChannel(Vertx vertx, long callTimeoutMs, long connectTimeoutMs, KeepAlive keepAlive,
                         AttemptPolicy attempts, BalancerConfig balancer, Supplier<String> unavailableReason) {
    this.vertx = vertx;
    this.context = Http2Client.newEventLoop(vertx);
    this.scheduler = new VertxScheduler(context);
    this.callTimeoutMs = callTimeoutMs;
    this.deadlineReason = GrpcCall.deadlineReason(callTimeoutMs); // once, not a string per call
    this.connectTimeoutMs = connectTimeoutMs;
    this.keepAlive = new ClientKeepAlive(keepAlive);
    this.attempts = attempts;
    this.throttle = new RetryThrottle(attempts.throttling());
    // the hedges' timers share one Vert.x timer
    this.routing = new CallRouting(() -> picker, this::awaitSomeReady, new OrderedTimers(scheduler), throttle,
        counters);
    this.balancer = balancer;
    this.unavailableReason = unavailableReason;
    this.readyWaitMs = Math.min(READY_WAIT_MS, callTimeoutMs);
    this.policy = new OutlierDetectionBalancer(new ChannelHelper(), balancer.ejection(),
        helper -> router = PolicyRouter.ofAllPolicies(helper, balancer));
  }

  /** Switches outlier ejection on, off or to new settings while calls flow, on the balancer's event loop. */
  public Future<Void> configureEjection(OutlierEjection ejection) {
    return onLoop(() -> {
      policy.configure(ejection);
      return null;
    });
  }

  /** A new endpoint snapshot, from discovery's thread: applied on the balancer's event loop. */
  @Override
  public void endpointsChanged(EndpointSet set) {
    context.runOnContext(v -> {
      endpoints = set;
      policy.acceptEndpoints(set);
    });
  }

  /** Runs {@code listener} on the balancer's event loop whenever a connection drops or a connection attempt fails. */
  public void onConnectionFailure(Runnable listener) {
    onConnectionFailure = listener;
  }

  /** Set before the first endpoint snapshot arrives; told of every connection opened and retired from then on. */
  public void observeEndpoints(EndpointObserver observer) {
    this.observer = observer;
  }

  /** The policy's side of the channel: real connections, the published picker, re-resolution and time. */
  private final class ChannelHelper implements LoadBalancer.Helper {
    @Override
    public Subchannel createSubchannel(Endpoint endpoint) {
      EndpointConnection connection = new EndpointConnection(context, scheduler,
          new Http2Connector(vertx, endpoint.address(), connectTimeoutMs, keepAlive.userTimeoutMs()),
          endpoint.address(), connectTimeoutMs, callTimeoutMs, new ConnectionBackoff(), keepAlive,
          new EndpointLoad(balancer.ewmaDecayMs(), balancer.ewmaInitialRttMs(), System::nanoTime),
          balancer.healthCheck());
      connections.put(endpoint.key(), connection);
      observer.added(connection);
      connection.closed().onComplete(v -> {
        openedByRetired.add(connection.connectionsOpened());
        connections.remove(endpoint.key(), connection);
        observer.retired(connection);
      });
      return connection;
    }

    @Override
    public void updateBalancingState(ConnectivityState state, SubchannelPicker next) {
      picker = next;
      // The calls waiting for an endpoint of their route go now, once the map is done with: a call let go may wait on
      // another route. The map keeps only routes without an endpoint (a query can name many: subset_size=).
      List<ReadyWait> ready = new ArrayList<>();
      readyWaits.entrySet().removeIf(waiting ->
          next.noneReason(waiting.getKey()) == null && ready.add(waiting.getValue()));
      ready.forEach(ReadyWait::ready);
    }

    @Override
    public void refreshResolution() {
      onConnectionFailure.run();
    }

    @Override
    public Scheduler scheduler() {
      return scheduler;
    }
  }

  /** One call, picked with the default policy ({@code --lb}). */
  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return sayHello(request, defaultRoute(), attempts, cancellation);
  }

  /** One call, its endpoints (a retry's, a hedge's too) picked on {@code route}, its attempts as {@code policy} says. */
  Future<HelloReply> sayHello(HelloRequest request, CallRoute route, AttemptPolicy policy, Cancellation cancellation) {
    BalancedCall call = new BalancedCall(routing, request, route, policy, CallOptions.within(callTimeoutMs,
        deadlineReason, cancellation).withLoadReport(route.lb().weighsByLoadReports())
        .withClientZone(balancer.fleet().zone()));
    if (Vertx.currentContext() == context) {
      router.ensureRoute(route);
      return call.start();
    }
    context.runOnContext(v -> {
      router.ensureRoute(route); // a request's own fleet policy: its child exists before its first pick
      call.start();
    });
    return call.result();
  }

  /** The calls' route when a request asks for nothing: --lb and the fleet flags. */
  CallRoute defaultRoute() {
    return new CallRoute(balancer.lb(), balancer.fleet().defaults());
  }

  /** This channel picking with {@code lb}; itself for the default policy. */
  @Override
  public GreeterChannel withLb(LbPolicy lb) {
    return lb == balancer.lb() ? this : new PolicyView(this, defaultRoute().withLb(lb), attempts);
  }

  /** This channel with its fleet policy changed by {@code change}; itself when that changes nothing. */
  @Override
  public GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    FleetPolicy changed = change.apply(balancer.fleet().defaults());
    return changed.equals(balancer.fleet().defaults()) ? this
        : new PolicyView(this, defaultRoute().withFleet(changed), attempts);
  }

  /** This channel hedging {@code delayMs} apart (0: not hedging, retrying by the policy); itself when it does. */
  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return delayMs == attempts.hedging().delayMs() ? this
        : new PolicyView(this, defaultRoute(), attempts.withHedging(attempts.hedging().withDelayMs(delayMs)));
  }

  /**
   * Completes when some endpoint is READY for a call on {@code route} or the route's wait window closes; on the event
   * loop only. Per route: a pick_first call after its connection's GOAWAY waits for pick_first's next connection,
   * not for round robin's, which never left (it failed at once while the default policy had endpoints).
   */
  private Future<Void> awaitSomeReady(CallRoute route) {
    return picker.noneReason(route) == null ? Future.succeededFuture()
        : readyWaits.computeIfAbsent(route, r -> new ReadyWait(scheduler, readyWaitMs)).window();
  }

  /** Attempts {@code lb} has picked an endpoint for since the channel was created. */
  public long picks(LbPolicy lb) {
    return counters.picks(lb);
  }

  /** The retry throttle's tokens now (its maximum, 0, while it is off). */
  public double retryTokens() {
    return throttle.tokens();
  }

  /** Times outlier detection ejected an endpoint since the channel was created. */
  public long ejectionsSoFar() {
    return policy.ejectionsSoFar();
  }

  /** Endpoints ejected now (none while outlier ejection is off). */
  public int ejectedNow() {
    return policy.status().ejected().size();
  }

  /** Endpoints in {@code state} now as the balancer sees them, health checks applied (read from another thread, a moment old at worst). */
  public int endpointsIn(ConnectivityState state) {
    return (int) connections.values().stream().filter(c -> c.balancerState() == state).count();
  }

  /** The Service's endpoints as discovery last saw them, routable or not. */
  public List<Endpoint> knownEndpoints() {
    return endpoints.all();
  }

  /** Experiments start with a fresh chance for endpoints waiting out a backoff (grpc's resetConnectBackoff). */
  @Override
  public Future<Void> warmUp() {
    return onLoop(() -> {
      connections.values().forEach(EndpointConnection::resetBackoff);
      return null;
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
    return picker.targets().stream().map(Subchannel::key).toList();
  }

  @Override
  public Map<String, Long> attemptsPerIp() {
    Map<String, Long> perIp = new HashMap<>();
    connections.values().forEach(c -> perIp.merge(c.address().host(), c.attemptsSent(), Long::sum));
    return perIp;
  }

  @Override
  public Retries retries() {
    return counters.retries();
  }

  @Override
  public Attempts attempts() {
    return counters.attempts();
  }

  /** The endpoints with their connections, and ejection, as of now on the balancer's event loop. */
  public Future<BalancerStatus> status() {
    return onLoop(() -> {
      EndpointSet current = endpoints;
      OutlierDetectionBalancer.Status ejection = policy.status();
      Map<String, EndpointWeight.WeightStatus> weights = router.endpointWeights();
      List<BalancerStatus.EndpointStatus> described = new ArrayList<>();
      for (Endpoint endpoint : current.all()) {
        EndpointConnection connection = connections.get(endpoint.key());
        described.add(new BalancerStatus.EndpointStatus(endpoint, current.routable().contains(endpoint),
            connection == null ? null : connection.health(), connection == null ? 0 : connection.callsInFlight(),
            ejection.ejected().stream().anyMatch(e -> e.endpoint().equals(endpoint.key())),
            weights.get(endpoint.key())));
      }
      return new BalancerStatus(balancer, described, ejection, router.fleetStatus());
    });
  }

  private <T> Future<T> onLoop(Supplier<T> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> done.complete(work.get()));
    return done.future();
  }

  @Override
  public long connectionsOpened() {
    return openedByRetired.sum() + connections.values().stream().mapToLong(EndpointConnection::connectionsOpened).sum();
  }

  @Override
  public int connectionsOpen() {
    return (int) connections.values().stream().filter(EndpointConnection::isOpen).count();
  }

  @Override
  public Future<Void> close() {
    return onLoop(() -> {
      Future<?> closing = Future.join(connections.values().stream().map(EndpointConnection::close).toList());
      policy.close(); // its subchannels are closed already: nothing waits for their calls in flight
      return closing;
    }).compose(all -> all).mapEmpty();
  }
}
