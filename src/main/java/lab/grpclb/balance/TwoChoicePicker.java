package lab.grpclb.balance;

/**
 * A picker that draws two READY endpoints at random and takes the less loaded ("power of two choices"); the
 * two differ in what load means and in how they draw.
 */
public sealed interface TwoChoicePicker<T extends LoadedEndpoint> extends Picker<T>
    permits LeastRequestPicker, PeakEwmaPicker {

  /** The better of two random targets, leaving the one at index {@code skip} out when there is another. */
  T choose(int skip);

  @Override
  default T pick() {
    return choose(-1);
  }

  @Override
  default T pickOtherThan(T avoid) {
    return choose(targets().indexOf(avoid));
  }
}
