package lab.grpclb.client;

import java.util.List;
import lab.grpclb.balance.EndpointWeight;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.balance.PolicyRouter;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.discovery.Endpoint;

/**
 * A balanced channel as the status page shows it, taken on the balancer's event loop: the balancer's settings (the
 * default policy, weighted_round_robin's, slow start, health checking), every endpoint discovery knows with its
 * connection, outlier ejection (null settings while off), and the client in its fleet (its subset, its zone plan).
 */
public record BalancerStatus(BalancerConfig config, List<EndpointStatus> endpoints,
                             OutlierDetectionBalancer.Status ejection, PolicyRouter.FleetStatus fleet) {

  /**
   * One endpoint: whether calls may go there, its connection's health (null when it has none), its load, and its
   * weight under weighted_round_robin (null when it has no connection).
   */
  public record EndpointStatus(Endpoint endpoint, boolean routable, EndpointConnection.Health health, long inFlight,
                               boolean ejected, EndpointWeight.WeightStatus weight) {
  }
}
