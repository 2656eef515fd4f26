package lab.grpclb.balance;

import java.util.List;

/** peak_ewma (Linkerd's and Finagle's p2c over peak-EWMA latency): see {@link PeakEwmaPicker}. */
public final class PeakEwmaBalancer extends ReadySubchannelsBalancer {

  public PeakEwmaBalancer(Helper helper) {
    super(helper);
  }

  @Override
  protected Picker<Subchannel> picker(List<Subchannel> ready) {
    return new PeakEwmaPicker<>(ready, RandomDraw.THREAD_LOCAL);
  }
}
