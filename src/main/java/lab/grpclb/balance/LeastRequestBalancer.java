package lab.grpclb.balance;

import java.util.List;
import java.util.random.RandomGenerator;
import lab.grpclb.config.SlowStartConfig;

/**
 * least_request (grpc-java's {@code LeastRequestLoadBalancer}, gRFC A48): see {@link LeastRequestPicker}. With slow
 * start, while an endpoint ramps, every endpoint weighs 1 / (calls in flight + 1) x its slow start factor and calls
 * go by EDF over those weights, as Envoy's least request does while a host is in slow start (its
 * {@code active_request_bias} at its default, 1).
 */
public final class LeastRequestBalancer extends SlowStartBalancer {

  public LeastRequestBalancer(Helper helper, SlowStartConfig slowStart) {
    super(helper, slowStart);
  }

  /** Slow start's first deadlines drawn from {@code random} (tests). */
  public LeastRequestBalancer(Helper helper, SlowStartConfig slowStart, RandomGenerator random) {
    super(helper, slowStart, random);
  }

  @Override
  protected Picker<Subchannel> steadyPicker(List<Subchannel> ready) {
    return new LeastRequestPicker<>(ready, RandomDraw.THREAD_LOCAL);
  }

  @Override
  protected double weight(Subchannel subchannel) {
    return 1.0 / (subchannel.load().inFlight() + 1);
  }
}
