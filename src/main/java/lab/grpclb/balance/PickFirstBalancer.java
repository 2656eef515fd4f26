package lab.grpclb.balance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * pick_first with a shuffled address list (gRFC A62, grpc-java's {@code PickFirstLeafLoadBalancer}): every call goes
 * to one endpoint. The endpoints are shuffled when the Service's set changes, then tried in that order, one at a
 * time; the first to be READY is selected and kept while it stays READY, even across endpoint changes. On its loss
 * the next endpoint of the list is tried. So many clients spread over the pods at random, one connection each.
 *
 * <p>It holds a subchannel for every endpoint, as grpc-java does, but asks for a connection only to the one it is
 * trying: a subchannel that nobody asked to connect stays IDLE, without a socket. Under {@link PolicyRouter} the
 * subchannels are shared, and the other policies keep every endpoint connected anyway; pick_first then finds its
 * first choice READY at once and takes it, which is the same pod it would have connected to alone. It must not ask
 * for more connections itself: alone (a client of pick_first only) it would otherwise open one per pod, which is the
 * very cost pick_first exists to avoid.
 */
public final class PickFirstBalancer implements LoadBalancer {
  private final Helper helper;
  private final Random random;
  /** By endpoint key, in the shuffled order. */
  private Map<String, Candidate> order = new LinkedHashMap<>();
  private Candidate selected;
  /** The endpoint being tried while none is selected. */
  private Candidate trying;
  private EndpointSet endpoints = EndpointSet.EMPTY;
  /** True while endpoints are being taken in: the states subchannels report then are weighed once, at the end. */
  private boolean accepting;
  private Published published;

  private static final class Candidate {
    final Subchannel subchannel;
    ConnectivityState state = ConnectivityState.IDLE;
    String error;

    Candidate(Subchannel subchannel) {
      this.subchannel = subchannel;
    }
  }

  /** What was published last, so that an unchanged one is not published again. */
  private record Published(Subchannel selected, ConnectivityState state, String reason) {
  }

  /** Shuffling with {@code random}: seed it for a repeatable order (tests), leave it unseeded in use. */
  public PickFirstBalancer(Helper helper, Random random) {
    this.helper = helper;
    this.random = random;
  }

  /** The order the endpoints {@code keys} are tried in, shuffled with {@code random} (A62's shuffle). */
  static List<String> shuffled(List<String> keys, Random random) {
    List<String> order = new ArrayList<>(keys);
    Collections.shuffle(order, random);
    return order;
  }

  @Override
  public void acceptEndpoints(EndpointSet set) {
    endpoints = set;
    Map<String, Endpoint> routable = new LinkedHashMap<>();
    set.routable().forEach(e -> routable.put(e.key(), e));
    if (routable.keySet().equals(order.keySet())) {
      publish(); // the same endpoints (conditions may differ): keep the order and the selection
      return;
    }
    Map<String, Candidate> previous = order;
    order = new LinkedHashMap<>();
    List<Candidate> added = new ArrayList<>();
    for (String key : shuffled(List.copyOf(routable.keySet()), random)) {
      Candidate tracked = previous.remove(key);
      if (tracked == null) {
        tracked = new Candidate(helper.createSubchannel(routable.get(key)));
        added.add(tracked);
      }
      order.put(key, tracked);
    }
    previous.values().forEach(left -> left.subchannel.drain());
    if (selected != null && !order.containsKey(selected.subchannel.key())) {
      selected = null; // its pod left the Service
    }
    if (trying != null && !order.containsKey(trying.subchannel.key())) {
      trying = null;
    }
    accepting = true;
    added.forEach(t -> t.subchannel.start((state, error) -> stateChanged(t, state, error)));
    accepting = false;
    if (selected == null) {
      tryFrom(0);
    }
    publish();
  }

  private void stateChanged(Candidate tracked, ConnectivityState state, String error) {
    if (order.get(tracked.subchannel.key()) != tracked) {
      return; // it left the Service
    }
    tracked.state = state;
    tracked.error = error;
    if (accepting) {
      return; // a shared subchannel telling a late-coming handle where it stands: weighed once all are in
    }
    if (tracked == selected && state != ConnectivityState.READY) {
      selected = null; // lost: the next endpoint of the list, not the same one again
      tryFrom(indexOf(tracked) + 1);
      helper.refreshResolution();
    } else if (selected == null && state == ConnectivityState.READY && (trying == null || tracked == trying)) {
      // the endpoint it is trying, in its shuffled order; another READY one waits its turn: the other policies connect
      // every shared subchannel at once, and the first to answer is the same pod for every client of a fleet (27 of
      // 30 fresh clients on two pods of ten), which undoes A62's shuffle. With none left to try, the first back.
      select(tracked);
    } else if (tracked == trying && state == ConnectivityState.TRANSIENT_FAILURE) {
      tryFrom(indexOf(tracked) + 1);
      helper.refreshResolution();
    }
    publish();
  }

  /**
   * From position {@code start} of the list, round it: selects the first READY endpoint, else asks the first that may
   * connect (IDLE or CONNECTING) to do so. Endpoints in TRANSIENT_FAILURE are passed over; they keep retrying with
   * their backoff, and the first to be READY is selected then.
   */
  private void tryFrom(int start) {
    List<Candidate> list = List.copyOf(order.values());
    trying = null;
    for (int i = 0; i < list.size(); i++) {
      Candidate candidate = list.get(Math.floorMod(start + i, list.size()));
      if (candidate.state == ConnectivityState.READY) {
        select(candidate);
        return;
      }
      if (trying == null && candidate.state != ConnectivityState.TRANSIENT_FAILURE) {
        trying = candidate;
      }
    }
    if (trying != null) {
      trying.subchannel.requestConnection();
    }
  }

  private void select(Candidate tracked) {
    selected = tracked;
    trying = null;
  }

  private int indexOf(Candidate tracked) {
    return new ArrayList<>(order.values()).indexOf(tracked);
  }

  private void publish() {
    Published now = selected != null ? new Published(selected.subchannel, ConnectivityState.READY, null)
        : trying != null ? new Published(null, ConnectivityState.CONNECTING, whyNone())
        : new Published(null, ConnectivityState.TRANSIENT_FAILURE, whyNone());
    if (now.equals(published)) {
      return;
    }
    published = now;
    // one target: a retry goes to the same endpoint, as pick_first has no other
    helper.updateBalancingState(now.state(), now.selected() == null ? SubchannelPicker.none(now.reason())
        : SubchannelPicker.of(new Picker.RoundRobin<>(List.of(now.selected()), new AtomicInteger())));
  }

  private String whyNone() {
    if (endpoints.all().isEmpty()) {
      return "the Service has no endpoints";
    }
    if (order.isEmpty()) {
      return "no endpoint is ready or serving";
    }
    if (trying != null) {
      return "pick_first is connecting to " + trying.subchannel.key();
    }
    return "no endpoint is READY: " + order.values().stream()
        .map(t -> t.subchannel.key() + " " + t.state + (t.error == null ? "" : " (" + t.error + ")"))
        .collect(Collectors.joining(", "));
  }

  /** The endpoint calls go to now; null while none is selected. */
  public String selectedKey() {
    return selected == null ? null : selected.subchannel.key();
  }

  @Override
  public void close() {
    order.values().forEach(t -> t.subchannel.drain());
    order.clear();
    selected = null;
    trying = null;
  }

  @Override
  public String toString() {
    return "pick_first " + Objects.requireNonNullElse(selectedKey(), "(none selected)");
  }
}
