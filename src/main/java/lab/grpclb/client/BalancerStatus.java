package lab.grpclb.client;

import java.util.List;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.config.HealthCheck;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.discovery.Endpoint;

/**
 * A balanced channel as the status page shows it, taken on the balancer's event loop: the default policy, every
 * endpoint discovery knows with its connection, outlier ejection (null settings while off), and health checking.
 */
public record BalancerStatus(LbPolicy lb, List<EndpointStatus> endpoints, OutlierDetectionBalancer.Status ejection,
                             HealthCheck healthCheck) {

  /** One endpoint: whether calls may go there, its connection's health (null when it has none), its load. */
  public record EndpointStatus(Endpoint endpoint, boolean routable, EndpointConnection.Health health, long inFlight,
                               boolean ejected) {
  }
}
