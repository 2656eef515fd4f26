package lab.grpclb.balance;

import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * least_request: power of two choices on calls in flight. It draws two READY endpoints at random, with
 * replacement, and takes the one with fewer calls in flight; on a tie the first drawn, itself random. This
 * follows grpc-java's {@code LeastRequestLoadBalancer.ReadyPicker} (gRFC A48, choiceCount 2) and Envoy's
 * {@code LeastRequestLoadBalancer::unweightedHostPickNChoices}. Unlike Vert.x's
 * {@code LoadBalancer.LEAST_REQUESTS}, which scans for the lowest count with a strict {@code <} and so sends
 * every call to the first endpoint while nothing is in flight, it spreads ties at random.
 *
 * <p>With replacement, an endpoint is drawn twice 1/n² of the time and then taken whatever its load (grpc-java's
 * test says so: "we unavoidably pick subchannel with index 1"): a busy endpoint loses every comparison but still
 * gets that share. Picking reads the counters of {@link EndpointLoad} on the balancer's event loop: no lock.
 */
public record LeastRequestPicker<T extends LoadedEndpoint>(List<T> targets, IntUnaryOperator random)
    implements TwoChoicePicker<T> {
  public LeastRequestPicker {
    targets = Picker.atLeastOne(targets, "least-request");
  }

  @Override
  public T choose(int skip) {
    if (targets.size() == 1) {
      return targets.get(0);
    }
    T candidate = targets.get(RandomDraw.index(random, targets.size(), skip));
    T sampled = targets.get(RandomDraw.index(random, targets.size(), skip));
    return sampled.load().inFlight() < candidate.load().inFlight() ? sampled : candidate;
  }
}
