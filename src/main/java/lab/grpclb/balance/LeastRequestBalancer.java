package lab.grpclb.balance;

import java.util.List;

/** least_request (grpc-java's {@code LeastRequestLoadBalancer}, gRFC A48): see {@link LeastRequestPicker}. */
public final class LeastRequestBalancer extends ReadySubchannelsBalancer {

  public LeastRequestBalancer(Helper helper) {
    super(helper);
  }

  @Override
  protected Picker<Subchannel> picker(List<Subchannel> ready) {
    return new LeastRequestPicker<>(ready, RandomDraw.THREAD_LOCAL);
  }
}
