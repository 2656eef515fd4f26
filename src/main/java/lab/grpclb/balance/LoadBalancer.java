package lab.grpclb.balance;

import lab.grpclb.discovery.EndpointSet;

/**
 * A load-balancing policy in grpc-java's shape: it receives the resolved endpoints, makes subchannels through its
 * {@link Helper}, watches their states, and publishes a (state, picker) pair through the helper. Everything runs on
 * the balancer's one event loop: no lock anywhere below.
 */
public interface LoadBalancer {

  /** The Service's endpoints now: subchannels to the routable ones, none to the others. */
  void acceptEndpoints(EndpointSet endpoints);

  /** Drains every subchannel; the balancer publishes nothing more. */
  void close();

  /** What a policy needs from its parent (the channel, or a wrapping policy). */
  interface Helper {

    /** A subchannel to one endpoint, not started yet. */
    Subchannel createSubchannel(lab.grpclb.discovery.Endpoint endpoint);

    /** The policy's aggregate state and the picker calls use from now on. */
    void updateBalancingState(ConnectivityState state, SubchannelPicker picker);

    /** A connection failed or dropped: resolve again if the resolver polls (DNS does). */
    default void refreshResolution() {
    }

    Scheduler scheduler();
  }
}
