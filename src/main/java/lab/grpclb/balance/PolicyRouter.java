package lab.grpclb.balance;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.FleetConfig;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * One child policy per {@link LbPolicy}, each call routed to the one it names (its {@code lb=}, else the default),
 * as grpc-java's {@code ClusterManagerLoadBalancer} routes each call to a child. The children share one subchannel
 * per endpoint: each holds a handle, the subchannel's states and load reports reach every handle, and the subchannel
 * is drained when the last handle is. So every policy sees the same connections, and a comparison of pickers is a
 * fair one.
 */
public final class PolicyRouter implements LoadBalancer {
  private final Helper helper;
  private final LbPolicy defaultPolicy;
  /**
   * Requests' own fleet policies kept at once. A query makes a new one (subset_size= 1 to 100 000, zone_aware=, lb=),
   * so without a bound a loop of requests grew the client and slowed each endpoint change without end. An experiment
   * calls on one route and touches it with every call, so a run never loses its own; an evicted route is made again
   * on its next call, with the same subset (the client's id seeds it).
   */
  static final int MAX_ROUTED_CHILDREN = 16;
  private final Map<LbPolicy, LoadBalancer> children = new EnumMap<>(LbPolicy.class);
  private final Map<LbPolicy, SubchannelPicker> pickers = new EnumMap<>(LbPolicy.class);
  private final Map<LbPolicy, ConnectivityState> states = new EnumMap<>(LbPolicy.class);
  private final Map<String, Shared> shared = new HashMap<>();
  /** Who this client is in its fleet, and the fleet policy of the calls that ask for none. */
  private final FleetConfig fleet;
  private final PolicyFactory factory;
  /**
   * The children a request's own fleet policy made ({@code subset_size=}, {@code zone_aware=}), on its first call,
   * least recently used first. They share the subchannels, so they open no connection of their own, but each one hears
   * every endpoint change and every publish copies its picker: at most {@link #MAX_ROUTED_CHILDREN} are kept.
   */
  private final Map<CallRoute, RouteChild> routedChildren = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<CallRoute, SubchannelPicker> routedPickers = new HashMap<>();
  private EndpointSet current = EndpointSet.EMPTY;
  /** Above 0 while a change reaches every child: they publish once, together, at its end. */
  private int batching;
  private boolean changed;

  /** The policies this lab compares, set up as {@code config} says; its {@code lb} is the default. */
  public static PolicyRouter ofAllPolicies(Helper helper, BalancerConfig config) {
    return new PolicyRouter(helper, config.lb(), config.fleet(), (policy, childHelper) -> switch (policy) {
      case ROUND_ROBIN -> new RoundRobinBalancer(childHelper, config.slowStart());
      case LEAST_REQUEST -> new LeastRequestBalancer(childHelper, config.slowStart());
      case PEAK_EWMA -> new PeakEwmaBalancer(childHelper);
      case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobinBalancer(childHelper, config.wrr());
      case PICK_FIRST -> new PickFirstBalancer(childHelper, new Random()); // each client its own shuffle
    });
  }

  /** Makes a child policy for an {@link LbPolicy}. */
  @FunctionalInterface
  public interface PolicyFactory {
    LoadBalancer create(LbPolicy policy, Helper helper);
  }

  public PolicyRouter(Helper helper, LbPolicy defaultPolicy, PolicyFactory factory) {
    this(helper, defaultPolicy, FleetConfig.DEFAULT, factory);
  }

  public PolicyRouter(Helper helper, LbPolicy defaultPolicy, FleetConfig fleet, PolicyFactory factory) {
    this.helper = helper;
    this.defaultPolicy = defaultPolicy;
    this.fleet = fleet;
    this.factory = factory;
    for (LbPolicy policy : LbPolicy.values()) {
      states.put(policy, ConnectivityState.IDLE);
      pickers.put(policy, SubchannelPicker.none("no endpoints known yet"));
      CallRoute route = new CallRoute(policy, fleet.defaults());
      children.put(policy, create(route, new ChildHelper(route)));
    }
  }

  /**
   * The route's policy inside its fleet policy: subsetting filters the endpoints first (gRFC A68), then zone-aware
   * routing splits them by zone, then the picker picks.
   */
  private LoadBalancer create(CallRoute route, Helper childHelper) {
    Function<Helper, LoadBalancer> picker = h -> factory.create(route.lb(), h);
    LoadBalancer zoned = route.fleet().zoneAware()
        ? new ZoneAwareBalancer(childHelper, picker, fleet.zone(), fleet.zones(), new Random())
        : picker.apply(childHelper);
    return route.fleet().subsetSize() == 0 ? zoned
        : new SubsettingBalancer(zoned, new RandomSubset(route.fleet().subsetSize(), fleet.clientId()));
  }

  /**
   * Makes the child for {@code route} if there is none yet, and gives it the endpoints now; its picker is published
   * before this returns (the shared subchannels tell it their states at once). On the balancer's event loop, before a
   * call on that route picks.
   */
  public void ensureRoute(CallRoute route) {
    if (route.fleet().equals(fleet.defaults()) || routedChildren.get(route) != null) { // get: used now
      return;
    }
    batch(() -> {
      if (routedChildren.size() >= MAX_ROUTED_CHILDREN) {
        retire(routedChildren.keySet().iterator().next());
      }
      routedPickers.put(route, SubchannelPicker.none("no endpoints known yet"));
      ChildHelper helper = new ChildHelper(route);
      LoadBalancer child = create(route, helper);
      routedChildren.put(route, new RouteChild(child, helper));
      child.acceptEndpoints(current);
      changed = true;
    });
  }

  /** Closes a request's route, the least recently used: its calls pick on a new child if they come back. */
  private void retire(CallRoute route) {
    RouteChild retired = routedChildren.remove(route);
    routedPickers.remove(route);
    retired.helper().retired = true; // what the closed child still publishes reaches nobody
    retired.balancer().close();
    changed = true;
  }

  /** A request's route: its policy and the helper it publishes through. */
  private record RouteChild(LoadBalancer balancer, ChildHelper helper) {
  }

  @Override
  public void acceptEndpoints(EndpointSet endpoints) {
    current = endpoints;
    batch(() -> {
      children.values().forEach(child -> child.acceptEndpoints(endpoints));
      routedChildren.values().forEach(child -> child.balancer().acceptEndpoints(endpoints));
    });
  }

  @Override
  public void close() {
    batch(() -> {
      children.values().forEach(LoadBalancer::close);
      routedChildren.values().forEach(child -> child.balancer().close());
    });
  }

  /** The fleet as the default policy's calls see it: the client, its subset and its zone plan. */
  public FleetStatus fleetStatus() {
    LoadBalancer child = children.get(defaultPolicy);
    List<String> subset = null;
    if (child instanceof SubsettingBalancer subsetting) {
      subset = subsetting.chosen().stream().map(Endpoint::key).toList();
      child = subsetting.child();
    }
    return new FleetStatus(fleet, subset, child instanceof ZoneAwareBalancer zoned ? zoned.plan() : null);
  }

  /** The fleet settings and what they chose: the subset (null when off) and the zone plan (null when off). */
  public record FleetStatus(FleetConfig config, List<String> subset, ZonePlan zonePlan) {
  }

  /**
   * weighted_round_robin's weight of each endpoint, by endpoint key: of the default fleet policy's child, inside its
   * subset and over its zones' pools when the fleet flags set them (none when that child is no weighted round robin).
   */
  public Map<String, EndpointWeight.WeightStatus> endpointWeights() {
    Map<String, EndpointWeight.WeightStatus> weights = new LinkedHashMap<>();
    for (LoadBalancer leaf : pickingPolicies(children.get(LbPolicy.WEIGHTED_ROUND_ROBIN))) {
      if (leaf instanceof WeightedRoundRobinBalancer wrr) {
        weights.putAll(wrr.weights());
      }
    }
    return weights;
  }

  /** The policies that pick under {@code balancer}'s fleet policy: through its subset, then in each zone's pool. */
  private static List<LoadBalancer> pickingPolicies(LoadBalancer balancer) {
    if (balancer instanceof SubsettingBalancer subsetting) {
      return pickingPolicies(subsetting.child());
    }
    if (balancer instanceof ZoneAwareBalancer zoned) {
      return zoned.pools().stream().flatMap(pool -> pickingPolicies(pool).stream()).toList();
    }
    return List.of(balancer);
  }

  private void batch(Runnable change) {
    batching++;
    try {
      change.run();
    } finally {
      batching--;
    }
    if (batching == 0 && changed) {
      publish();
    }
  }

  private void publish() {
    changed = false;
    helper.updateBalancingState(states.get(defaultPolicy), new Routed(defaultPolicy, new EnumMap<>(pickers),
        fleet.defaults(), Map.copyOf(routedPickers)));
  }

  /**
   * Each pick goes to the picker of the call's route: by policy alone for the default fleet policy (an EnumMap, the
   * hot path), by the whole route for a request's own.
   */
  private static final SubchannelPicker NOT_YET = SubchannelPicker.none("no endpoints known yet");

  private record Routed(LbPolicy defaultPolicy, Map<LbPolicy, SubchannelPicker> pickers, FleetPolicy defaultFleet,
                        Map<CallRoute, SubchannelPicker> routed) implements SubchannelPicker {
    @Override
    public Subchannel pick(LbPolicy policy, Subchannel avoid) {
      return pickers.get(policy).pick(policy, avoid);
    }

    @Override
    public Subchannel pick(CallRoute route, Subchannel avoid) {
      return of(route).pick(route.lb(), avoid);
    }

    @Override
    public List<Subchannel> targets() {
      return pickers.get(defaultPolicy).targets();
    }

    @Override
    public List<Subchannel> targets(CallRoute route) {
      return of(route).targets();
    }

    @Override
    public String noneReason() {
      return pickers.get(defaultPolicy).noneReason();
    }

    /** The route's own: a pick_first call waits for pick_first's connection, not for round robin's. */
    @Override
    public String noneReason(CallRoute route) {
      return of(route).noneReason();
    }

    private SubchannelPicker of(CallRoute route) {
      if (route.fleet().equals(defaultFleet)) {
        return pickers.get(route.lb());
      }
      return routed.getOrDefault(route, NOT_YET);
    }
  }

  private final class ChildHelper extends ForwardingHelper {
    private final CallRoute route;
    private final LbPolicy policy;
    private final boolean byDefault;
    /** Set once its route is retired: a closed child's last words change no picker. */
    private boolean retired;

    ChildHelper(CallRoute route) {
      this.route = route;
      this.policy = route.lb();
      this.byDefault = route.fleet().equals(fleet.defaults());
    }

    @Override
    public Subchannel createSubchannel(Endpoint endpoint) {
      Shared one = shared.computeIfAbsent(endpoint.key(), key -> new Shared(helper.createSubchannel(endpoint)));
      return one.handle();
    }

    @Override
    public void updateBalancingState(ConnectivityState state, SubchannelPicker picker) {
      if (retired) {
        return;
      }
      if (byDefault) {
        states.put(policy, state);
        pickers.put(policy, picker);
      } else {
        routedPickers.put(route, picker);
      }
      changed = true;
      if (batching == 0) {
        publish();
      }
    }

    @Override
    public void refreshResolution() {
      if (policy == defaultPolicy && byDefault) { // once per failure, not once per child
        helper.refreshResolution();
      }
    }

    @Override
    protected Helper delegate() {
      return helper;
    }
  }

  /**
   * One endpoint's subchannel and the children's handles on it. A subchannel has one load report listener: this one
   * listens while some handle does, and hands each report to every handle listening; it asks for out-of-band reports
   * at the shortest period a handle asks for (a child that asked for fewer gets more, which A58 allows: "the server
   * may not provide reports as frequently as the client requests").
   */
  private final class Shared {
    final Subchannel subchannel;
    final List<Handle> handles = new ArrayList<>();
    ConnectivityState state;
    String error;
    boolean started;
    boolean listening;
    long oobPeriodMs;

    Shared(Subchannel subchannel) {
      this.subchannel = subchannel;
    }

    Handle handle() {
      Handle handle = new Handle(this);
      handles.add(handle);
      return handle;
    }

    void start(Handle handle) {
      if (!started) {
        started = true;
        subchannel.start(this::stateChanged);
      } else if (state != null) {
        handle.listener.stateChanged(state, error); // a child that came late learns where it stands
      }
    }

    private void stateChanged(ConnectivityState next, String why) {
      state = next;
      error = why;
      batch(() -> List.copyOf(handles).forEach(h -> h.listener.stateChanged(next, why)));
    }

    /** A handle's wish for reports changed: listen and ask for out-of-band ones as the handles now want. */
    void reportsWanted() {
      boolean wanted = handles.stream().anyMatch(h -> h.reports != null);
      if (wanted != listening) {
        listening = wanted;
        subchannel.setLoadReportListener(wanted ? this::loadReported : null);
      }
      long period = handles.stream().mapToLong(h -> h.oobPeriodMs).filter(p -> p > 0).min().orElse(0);
      if (period != oobPeriodMs) {
        oobPeriodMs = period;
        subchannel.requestOobReports(period);
      }
    }

    private void loadReported(LoadReport report) {
      for (Handle handle : List.copyOf(handles)) {
        if (handle.reports != null) {
          handle.reports.loadReported(report);
        }
      }
    }

    Future<Void> release(Handle handle) {
      handles.remove(handle);
      if (!handles.isEmpty()) {
        reportsWanted();
        return Future.succeededFuture();
      }
      shared.remove(subchannel.key(), this);
      return subchannel.drain();
    }
  }

  /**
   * A child's view of a shared subchannel: its own state and load report listeners and out-of-band period, and a
   * drain that releases only its share.
   */
  private static final class Handle extends ForwardingSubchannel {
    private final Shared shared;
    private StateListener listener = (state, error) -> { };
    private LoadReportListener reports;
    private long oobPeriodMs;

    Handle(Shared shared) {
      super(shared.subchannel);
      this.shared = shared;
    }

    @Override
    public void start(StateListener listener) {
      this.listener = listener;
      shared.start(this);
    }

    @Override
    public void setLoadReportListener(LoadReportListener listener) {
      reports = listener;
      shared.reportsWanted();
    }

    @Override
    public void requestOobReports(long periodMs) {
      oobPeriodMs = periodMs;
      shared.reportsWanted();
    }

    @Override
    public Future<Void> drain() {
      listener = (state, error) -> { };
      reports = null;
      oobPeriodMs = 0;
      return shared.release(this);
    }
  }
}
