package lab.grpclb.balance;

import lab.grpclb.discovery.Endpoint;

/**
 * A {@link LoadBalancer.Helper} that passes every call to another, as grpc-java's ForwardingLoadBalancerHelper: a
 * policy that wraps children (zones, ejection, the router) overrides only what it changes.
 */
abstract class ForwardingHelper implements LoadBalancer.Helper {

  /** The helper everything not overridden goes to. */
  protected abstract LoadBalancer.Helper delegate();

  @Override
  public Subchannel createSubchannel(Endpoint endpoint) {
    return delegate().createSubchannel(endpoint);
  }

  @Override
  public void updateBalancingState(ConnectivityState state, SubchannelPicker picker) {
    delegate().updateBalancingState(state, picker);
  }

  @Override
  public void refreshResolution() {
    delegate().refreshResolution();
  }

  @Override
  public Scheduler scheduler() {
    return delegate().scheduler();
  }
}
