package lab.grpclb.balance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * The channel's side of a balancer in tests (grpc-java's {@code AbstractTestHelper}): it makes fake subchannels,
 * keeps every (state, picker) the balancer publishes, and counts re-resolution requests.
 */
final class FakeHelper implements LoadBalancer.Helper {
  final FakeClock clock = new FakeClock();
  /** Every subchannel made, by key (the last one made for a key). */
  final Map<String, FakeSubchannel> subchannels = new LinkedHashMap<>();
  final List<ConnectivityState> states = new ArrayList<>();
  final List<SubchannelPicker> pickers = new ArrayList<>();
  int created;
  int refreshes;

  /** A Service of ready endpoints on port 50051, one per IP. */
  static EndpointSet endpoints(String... ips) {
    List<Endpoint> all = new ArrayList<>();
    for (String ip : ips) {
      all.add(new Endpoint(ip, 50051, "pod-" + ip, true, true, false));
    }
    return EndpointSet.of(all);
  }

  static String key(String ip) {
    return ip + ":50051";
  }

  FakeSubchannel subchannel(String ip) {
    return subchannels.get(key(ip));
  }

  ConnectivityState state() {
    return states.get(states.size() - 1);
  }

  SubchannelPicker picker() {
    return pickers.get(pickers.size() - 1);
  }

  @Override
  public Subchannel createSubchannel(Endpoint endpoint) {
    created++;
    FakeSubchannel subchannel = new FakeSubchannel(endpoint.key(), clock);
    subchannels.put(endpoint.key(), subchannel);
    return subchannel;
  }

  @Override
  public void updateBalancingState(ConnectivityState state, SubchannelPicker picker) {
    states.add(state);
    pickers.add(picker);
  }

  @Override
  public void refreshResolution() {
    refreshes++;
  }

  @Override
  public Scheduler scheduler() {
    return clock;
  }
}
