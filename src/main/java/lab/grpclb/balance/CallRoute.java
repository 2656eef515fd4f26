package lab.grpclb.balance;

import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * Which child of {@link PolicyRouter} an attempt picks with: its picker ({@code lb=}) and its fleet policy
 * ({@code subset_size=}, {@code zone_aware=}). A call carries one; equal routes share one child.
 */
public record CallRoute(LbPolicy lb, FleetPolicy fleet) {

  public CallRoute withLb(LbPolicy other) {
    return new CallRoute(other, fleet);
  }

  public CallRoute withFleet(FleetPolicy other) {
    return new CallRoute(lb, other);
  }
}
