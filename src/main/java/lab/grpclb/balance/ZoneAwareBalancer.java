package lab.grpclb.balance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * Zone-aware routing around any policy, as Envoy's: a child policy per pool of endpoints of the {@link ZonePlan}
 * (a zone, or the endpoints hinted for the client's zone), and a picker that draws a pool by its share of calls, then
 * lets that pool's child pick. A pool with nothing READY passes its calls to the next pool that has something, so a
 * zone that fails does not fail calls another zone can serve. The plan is made again on every endpoint change.
 */
public final class ZoneAwareBalancer implements LoadBalancer {
  private final Helper helper;
  private final Function<Helper, LoadBalancer> childFactory;
  private final String clientZone;
  private final List<String> fleetZones;
  private final RandomGenerator random;
  private final Map<String, Child> children = new LinkedHashMap<>();
  private ZonePlan plan = ZonePlan.NONE;
  private EndpointSet endpoints = EndpointSet.EMPTY;
  /** True while endpoints are being taken in: the children publish once, together, at the end. */
  private boolean accepting;

  /** One pool's policy and what it published last. */
  private final class Child extends ForwardingHelper {
    final LoadBalancer balancer;
    ConnectivityState state = ConnectivityState.CONNECTING;
    SubchannelPicker picker = SubchannelPicker.none("no endpoints in this zone yet");

    Child() {
      this.balancer = childFactory.apply(this);
    }

    @Override
    protected Helper delegate() {
      return helper;
    }

    @Override
    public void updateBalancingState(ConnectivityState newState, SubchannelPicker newPicker) {
      state = newState;
      picker = newPicker;
      if (!accepting) {
        publish();
      }
    }
  }

  /**
   * Around children made by {@code childFactory}, for a client in {@code clientZone} (null: unknown, no zone routing)
   * whose fleet spreads over {@code fleetZones} (empty: the zones known), drawing pools with {@code random}.
   */
  public ZoneAwareBalancer(Helper helper, Function<Helper, LoadBalancer> childFactory, String clientZone,
                           List<String> fleetZones, RandomGenerator random) {
    this.helper = helper;
    this.childFactory = childFactory;
    this.clientZone = clientZone;
    this.fleetZones = List.copyOf(fleetZones);
    this.random = random;
  }

  @Override
  public void acceptEndpoints(EndpointSet set) {
    endpoints = set;
    plan = ZonePlan.of(set.routable(), clientZone, fleetZones);
    accepting = true;
    try {
      new ArrayList<>(children.keySet()).stream().filter(pool -> !plan.pools().containsKey(pool))
          .forEach(pool -> children.remove(pool).balancer.close());
      plan.pools().forEach((pool, members) -> children.computeIfAbsent(pool, p -> new Child()).balancer
          .acceptEndpoints(new EndpointSet(set.all(), members, set.fallback())));
    } finally {
      accepting = false;
    }
    publish();
  }

  /** The policy of each zone's pool, in the order the zones came. */
  public List<LoadBalancer> pools() {
    return children.values().stream().map(child -> child.balancer).toList();
  }

  /** The plan calls follow now, for the status page. */
  public ZonePlan plan() {
    return plan;
  }

  private void publish() {
    List<Child> ordered = plan.pools().keySet().stream().map(children::get).toList();
    boolean ready = ordered.stream().anyMatch(c -> c.state == ConnectivityState.READY);
    boolean connecting = ordered.stream()
        .anyMatch(c -> c.state == ConnectivityState.CONNECTING || c.state == ConnectivityState.IDLE);
    ConnectivityState state = ready ? ConnectivityState.READY
        : connecting ? ConnectivityState.CONNECTING : ConnectivityState.TRANSIENT_FAILURE;
    if (!ready) {
      helper.updateBalancingState(state, SubchannelPicker.none(whyNone()));
      return;
    }
    Map<String, SubchannelPicker> pickers = new LinkedHashMap<>();
    plan.pools().keySet().forEach(pool -> pickers.put(pool, children.get(pool).picker));
    helper.updateBalancingState(state, new ZonedPicker(pickers, plan.shares(), random));
  }

  private String whyNone() {
    if (plan.pools().isEmpty()) {
      return endpoints.all().isEmpty() ? "the Service has no endpoints" : "no endpoint is ready or serving";
    }
    return plan.pools().keySet().stream()
        .map(pool -> "zone " + (pool.isEmpty() ? "(none)" : pool) + ": " + children.get(pool).picker.noneReason())
        .collect(Collectors.joining("; "));
  }

  @Override
  public void close() {
    children.values().forEach(c -> c.balancer.close());
    children.clear();
  }

  /**
   * Draws a pool by its share of calls, then picks in it; when the pool has nothing READY, the next pool in the plan's
   * order that has something (the client's zone first). Immutable but for the random draw, which the balancer's event
   * loop alone makes.
   */
  record ZonedPicker(List<SubchannelPicker> pickers, double[] cumulative, RandomGenerator random)
      implements SubchannelPicker {

    ZonedPicker(Map<String, SubchannelPicker> byPool, Map<String, Double> shares, RandomGenerator random) {
      this(List.copyOf(byPool.values()), cumulative(byPool.keySet().stream().map(shares::get).toList()), random);
    }

    private static double[] cumulative(List<Double> shares) {
      double[] sums = new double[shares.size()];
      double sum = 0;
      for (int i = 0; i < sums.length; i++) {
        sum += shares.get(i);
        sums[i] = sum;
      }
      return sums;
    }

    @Override
    public Subchannel pick(LbPolicy policy, Subchannel avoid) {
      int drawn = draw();
      for (int i = 0; i < pickers.size(); i++) {
        Subchannel picked = pickers.get((drawn + i) % pickers.size()).pick(policy, avoid);
        if (picked != null) {
          return picked;
        }
      }
      return null;
    }

    private int draw() {
      double r = random.nextDouble() * cumulative[cumulative.length - 1];
      for (int i = 0; i < cumulative.length; i++) {
        if (r < cumulative[i]) {
          return i;
        }
      }
      return cumulative.length - 1;
    }

    @Override
    public List<Subchannel> targets() {
      return pickers.stream().flatMap(p -> p.targets().stream()).toList();
    }

    @Override
    public String noneReason() {
      return null;
    }
  }
}
