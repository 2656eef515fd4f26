package lab.grpclb.balance;

import java.util.List;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * random_subsetting (gRFC A68): a filter on the endpoints before its child policy, which sees only this client's
 * {@link RandomSubset} of the routable ones and makes subchannels to those only. Like A68's, it touches nothing else:
 * states, pickers and subchannels are the child's. The subset is taken from the routable endpoints, as A68 takes it
 * from the resolver's addresses (which are the ready pods on Kubernetes): a pod that stops being ready is replaced in
 * the subset by the next one of the client's ranking.
 */
public final class SubsettingBalancer implements LoadBalancer {
  private final LoadBalancer child;
  private final RandomSubset subset;
  private List<Endpoint> chosen = List.of();

  public SubsettingBalancer(LoadBalancer child, RandomSubset subset) {
    this.child = child;
    this.subset = subset;
  }

  @Override
  public void acceptEndpoints(EndpointSet endpoints) {
    chosen = subset.of(endpoints.routable());
    child.acceptEndpoints(new EndpointSet(endpoints.all(), chosen, endpoints.fallback()));
  }

  /** The endpoints the child balances over now. */
  public List<Endpoint> chosen() {
    return chosen;
  }

  public LoadBalancer child() {
    return child;
  }

  @Override
  public void close() {
    child.close();
  }
}
