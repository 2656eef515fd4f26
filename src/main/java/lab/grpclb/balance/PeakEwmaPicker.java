package lab.grpclb.balance;

import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * peak_ewma: power of two choices on {@link EndpointLoad#cost()}, the peak-EWMA RTT x (calls in flight + 1). As
 * tower's {@code balance/p2c} does (Linkerd; Finagle's p2c likewise), it draws two distinct READY endpoints in
 * random order and takes the first unless the second costs less, so a tie goes either way at random. Distinct
 * draws matter here: a slow endpoint is never taken for having been drawn twice. Picking reads
 * {@link EndpointLoad} on the balancer's event loop: no lock, nothing written.
 */
public record PeakEwmaPicker<T extends LoadedEndpoint>(List<T> targets, IntUnaryOperator random)
    implements TwoChoicePicker<T> {
  public PeakEwmaPicker {
    targets = Picker.atLeastOne(targets, "peak-EWMA");
  }

  @Override
  public T choose(int skip) {
    int choices = RandomDraw.choices(targets.size(), skip);
    if (choices <= 1) {
      return targets.get(choices == 0 ? 0 : RandomDraw.unskip(0, skip)); // one target, or one besides the skipped
    }
    int a = random.applyAsInt(choices);
    int b = random.applyAsInt(choices - 1);
    T first = targets.get(RandomDraw.unskip(a, skip));
    T second = targets.get(RandomDraw.unskip(b >= a ? b + 1 : b, skip)); // distinct from the first
    return second.load().cost() < first.load().cost() ? second : first;
  }
}
