package lab.grpclb.balance;

import java.util.List;
import lab.grpclb.config.LbPolicy;

/**
 * Where each attempt goes, as a balancer last published it (grpc-java's {@code SubchannelPicker}). Immutable: a
 * balancer builds a new one when its READY set changes, so picking never locks.
 */
public interface SubchannelPicker {

  /**
   * The subchannel for an attempt of a call that picks with {@code policy}, other than {@code avoid} (a retry's last
   * one) when there is another; null when there is none.
   */
  Subchannel pick(LbPolicy policy, Subchannel avoid);

  /** The same for a call on {@code route}; a picker that routes by fleet policy too ({@link PolicyRouter}) overrides it. */
  default Subchannel pick(CallRoute route, Subchannel avoid) {
    return pick(route.lb(), avoid);
  }

  /** The subchannels it picks from, for the status page. */
  List<Subchannel> targets();

  /** The subchannels a call on {@code route} picks from; a routing picker overrides it. */
  default List<Subchannel> targets(CallRoute route) {
    return targets();
  }

  /** Why a pick finds nothing; null while it finds something. */
  String noneReason();

  /** Why a call on {@code route} finds nothing; null while it finds something. A routing picker overrides it. */
  default String noneReason(CallRoute route) {
    return noneReason();
  }

  /** Nowhere to send a call; {@code reason} says why (no endpoints yet, all failing, all ejected...). */
  static SubchannelPicker none(String reason) {
    return new None(reason);
  }

  /** Over one policy's picker of READY subchannels. */
  static SubchannelPicker of(Picker<Subchannel> picker) {
    return new Ready(picker);
  }

  /** Picks nothing and says why. */
  record None(String noneReason) implements SubchannelPicker {
    @Override
    public Subchannel pick(LbPolicy policy, Subchannel avoid) {
      return null;
    }

    @Override
    public List<Subchannel> targets() {
      return List.of();
    }
  }

  /** One policy's picker; the call's policy was chosen above it (see {@link PolicyRouter}). */
  record Ready(Picker<Subchannel> picker) implements SubchannelPicker {
    @Override
    public Subchannel pick(LbPolicy policy, Subchannel avoid) {
      return avoid == null ? picker.pick() : picker.pickOtherThan(avoid);
    }

    @Override
    public List<Subchannel> targets() {
      return picker.targets();
    }

    @Override
    public String noneReason() {
      return null;
    }
  }
}
