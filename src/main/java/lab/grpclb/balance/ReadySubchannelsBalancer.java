package lab.grpclb.balance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * The shape every policy here shares (grpc-java's {@code MultiChildLoadBalancer}): a subchannel per routable
 * endpoint, all kept connected, and a picker over the READY ones only. The aggregate state is READY when one is,
 * CONNECTING while one may become so, TRANSIENT_FAILURE otherwise. A policy says only how it picks among the READY
 * ones; the picker is republished only when the READY list, the state or the reason for none changes, or when the
 * policy asks ({@link #rebuildPicker}: its picks changed with time). Hooks tell a policy of each subchannel's
 * arrival, READY and departure, for what it keeps per endpoint (weights, slow start).
 */
public abstract class ReadySubchannelsBalancer implements LoadBalancer {
  private final Helper helper;
  /** By endpoint key, in the order of the Service's endpoints. */
  private Map<String, Tracked> subchannels = new LinkedHashMap<>();
  /** True while endpoints are being taken in: their state changes are published once, at the end. */
  private boolean accepting;
  private EndpointSet endpoints = EndpointSet.EMPTY;
  private List<Subchannel> published;
  private ConnectivityState publishedState;
  private String publishedReason;

  private static final class Tracked {
    final Subchannel subchannel;
    ConnectivityState state = ConnectivityState.IDLE;
    String error;

    Tracked(Subchannel subchannel) {
      this.subchannel = subchannel;
    }
  }

  protected ReadySubchannelsBalancer(Helper helper) {
    this.helper = helper;
  }

  /** How this policy picks among {@code ready}, never empty. */
  protected abstract Picker<Subchannel> picker(List<Subchannel> ready);

  /** A subchannel was made for an endpoint that joined; {@code joinedOthers}: the balancer had endpoints already. */
  protected void subchannelAdded(Subchannel subchannel, boolean joinedOthers) {
  }

  /** The subchannel turned READY; called before the picker that offers it is built. */
  protected void subchannelReady(Subchannel subchannel) {
  }

  /** Its endpoint left the Service; the subchannel is drained next. */
  protected void subchannelRemoved(Subchannel subchannel) {
  }

  /** A new picker over the same READY subchannels (none while none is READY): the policy's picks changed with time. */
  protected final void rebuildPicker() {
    if (published != null && !published.isEmpty()) {
      helper.updateBalancingState(publishedState, SubchannelPicker.of(picker(List.copyOf(published))));
    }
  }

  protected final Scheduler scheduler() {
    return helper.scheduler();
  }

  @Override
  public void acceptEndpoints(EndpointSet set) {
    endpoints = set;
    boolean hadEndpoints = !subchannels.isEmpty();
    Map<String, Tracked> previous = subchannels;
    List<Tracked> added = new ArrayList<>();
    subchannels = new LinkedHashMap<>();
    for (Endpoint endpoint : set.routable()) {
      Tracked tracked = previous.remove(endpoint.key());
      if (tracked == null) {
        tracked = new Tracked(helper.createSubchannel(endpoint));
        added.add(tracked);
        subchannelAdded(tracked.subchannel, hadEndpoints);
      }
      subchannels.put(endpoint.key(), tracked);
    }
    accepting = true;
    for (Tracked left : previous.values()) {
      subchannelRemoved(left.subchannel);
      left.subchannel.drain(); // it closes once its calls in flight end
    }
    for (Tracked tracked : added) {
      tracked.subchannel.start((state, error) -> stateChanged(tracked, state, error));
    }
    subchannels.values().forEach(t -> t.subchannel.requestConnection()); // the first calls should not wait
    accepting = false;
    publish();
  }

  private void stateChanged(Tracked tracked, ConnectivityState state, String error) {
    if (subchannels.get(tracked.subchannel.key()) != tracked) {
      return; // it left the Service
    }
    if (state == ConnectivityState.READY && tracked.state != ConnectivityState.READY) {
      subchannelReady(tracked.subchannel);
    }
    tracked.state = state;
    tracked.error = error;
    if (state == ConnectivityState.IDLE) {
      tracked.subchannel.requestConnection();
    }
    if (!accepting) {
      publish();
    }
    if (state == ConnectivityState.IDLE || state == ConnectivityState.TRANSIENT_FAILURE) {
      helper.refreshResolution(); // IDLE only ever follows READY: the connection dropped or was sent away
    }
  }

  private void publish() {
    List<Subchannel> ready = new ArrayList<>();
    boolean connecting = false;
    for (Tracked tracked : subchannels.values()) {
      if (tracked.state == ConnectivityState.READY) {
        ready.add(tracked.subchannel);
      }
      connecting |= tracked.state == ConnectivityState.CONNECTING || tracked.state == ConnectivityState.IDLE;
    }
    ConnectivityState state = !ready.isEmpty() ? ConnectivityState.READY
        : connecting ? ConnectivityState.CONNECTING : ConnectivityState.TRANSIENT_FAILURE;
    String reason = ready.isEmpty() ? whyNoneReady() : null;
    if (ready.equals(published) && state == publishedState && Objects.equals(reason, publishedReason)) {
      return;
    }
    published = ready;
    publishedState = state;
    publishedReason = reason;
    helper.updateBalancingState(state, ready.isEmpty() ? SubchannelPicker.none(reason)
        : SubchannelPicker.of(picker(List.copyOf(ready))));
  }

  private String whyNoneReady() {
    if (endpoints.all().isEmpty()) {
      return "the Service has no endpoints";
    }
    if (endpoints.routable().isEmpty()) {
      return "no endpoint is ready or serving";
    }
    return "no endpoint is READY: " + subchannels.values().stream()
        .map(t -> t.subchannel.key() + " " + t.state + (t.error == null ? "" : " (" + t.error + ")"))
        .collect(Collectors.joining(", "));
  }

  @Override
  public void close() {
    subchannels.values().forEach(t -> t.subchannel.drain());
    subchannels.clear();
  }
}
