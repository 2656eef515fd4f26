package lab.grpclb.balance;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lab.grpclb.config.BalancerConfig;
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
  private final Map<LbPolicy, LoadBalancer> children = new EnumMap<>(LbPolicy.class);
  private final Map<LbPolicy, SubchannelPicker> pickers = new EnumMap<>(LbPolicy.class);
  private final Map<LbPolicy, ConnectivityState> states = new EnumMap<>(LbPolicy.class);
  private final Map<String, Shared> shared = new HashMap<>();
  /** Above 0 while a change reaches every child: they publish once, together, at its end. */
  private int batching;
  private boolean changed;

  /** The policies this lab compares, set up as {@code config} says; its {@code lb} is the default. */
  public static PolicyRouter ofAllPolicies(Helper helper, BalancerConfig config) {
    return new PolicyRouter(helper, config.lb(), (policy, childHelper) -> switch (policy) {
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
    this.helper = helper;
    this.defaultPolicy = defaultPolicy;
    for (LbPolicy policy : LbPolicy.values()) {
      states.put(policy, ConnectivityState.IDLE);
      pickers.put(policy, SubchannelPicker.none("no endpoints known yet"));
      children.put(policy, factory.create(policy, new ChildHelper(policy)));
    }
  }

  @Override
  public void acceptEndpoints(EndpointSet endpoints) {
    batch(() -> children.values().forEach(child -> child.acceptEndpoints(endpoints)));
  }

  @Override
  public void close() {
    batch(() -> children.values().forEach(LoadBalancer::close));
  }

  /** weighted_round_robin's weight of each endpoint, by endpoint key (none when that child is not one). */
  public Map<String, EndpointWeight.WeightStatus> endpointWeights() {
    return children.get(LbPolicy.WEIGHTED_ROUND_ROBIN) instanceof WeightedRoundRobinBalancer wrr ? wrr.weights()
        : Map.of();
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
    helper.updateBalancingState(states.get(defaultPolicy), new Routed(defaultPolicy, new EnumMap<>(pickers)));
  }

  /** Each pick goes to the picker of the call's policy. */
  private record Routed(LbPolicy defaultPolicy, Map<LbPolicy, SubchannelPicker> pickers) implements SubchannelPicker {
    @Override
    public Subchannel pick(LbPolicy policy, Subchannel avoid) {
      return pickers.get(policy).pick(policy, avoid);
    }

    @Override
    public List<Subchannel> targets() {
      return pickers.get(defaultPolicy).targets();
    }

    @Override
    public String noneReason() {
      return pickers.get(defaultPolicy).noneReason();
    }
  }

  private final class ChildHelper implements Helper {
    private final LbPolicy policy;

    ChildHelper(LbPolicy policy) {
      this.policy = policy;
    }

    @Override
    public Subchannel createSubchannel(Endpoint endpoint) {
      Shared one = shared.computeIfAbsent(endpoint.key(), key -> new Shared(helper.createSubchannel(endpoint)));
      return one.handle();
    }

    @Override
    public void updateBalancingState(ConnectivityState state, SubchannelPicker picker) {
      states.put(policy, state);
      pickers.put(policy, picker);
      changed = true;
      if (batching == 0) {
        publish();
      }
    }

    @Override
    public void refreshResolution() {
      if (policy == defaultPolicy) { // once per failure, not once per child
        helper.refreshResolution();
      }
    }

    @Override
    public Scheduler scheduler() {
      return helper.scheduler();
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
