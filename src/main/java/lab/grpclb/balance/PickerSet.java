package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import lab.grpclb.config.LbPolicy;

/**
 * One picker per {@link LbPolicy} over the same READY endpoints, built together and swapped in with one
 * write, so that every call can choose its policy and all of them see the same endpoints.
 */
public record PickerSet<T extends LoadedEndpoint>(Picker<T> roundRobin, Picker<T> leastRequest, Picker<T> peakEwma) {

  /** Nowhere to send a call, whatever the policy; {@code reason} says why. */
  public static <T extends LoadedEndpoint> PickerSet<T> empty(String reason) {
    Picker<T> empty = new Picker.Empty<>(reason);
    return new PickerSet<>(empty, empty, empty);
  }

  /** Over a non-empty list; round robin continues {@code rotation}, shared by successive sets. */
  public static <T extends LoadedEndpoint> PickerSet<T> over(List<T> ready, AtomicInteger rotation) {
    return new PickerSet<>(new Picker.RoundRobin<>(ready, rotation),
        new LeastRequestPicker<>(ready, RandomDraw.THREAD_LOCAL), new PeakEwmaPicker<>(ready, RandomDraw.THREAD_LOCAL));
  }

  public Picker<T> get(LbPolicy policy) {
    return switch (policy) {
      case ROUND_ROBIN -> roundRobin;
      case LEAST_REQUEST -> leastRequest;
      case PEAK_EWMA -> peakEwma;
    };
  }

  /** Whether a call can go somewhere now. */
  public boolean hasTargets() {
    return !(roundRobin instanceof Picker.Empty<T>);
  }
}
