package lab.grpclb.balance;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/**
 * Random indexes for the two-choice pickers, optionally leaving one index out (a retry's last endpoint).
 * {@code random} maps a bound n to an index in [0, n): {@link #THREAD_LOCAL} in use, a script in tests (as
 * grpc-java's picker tests mock their random).
 */
final class RandomDraw {
  static final IntUnaryOperator THREAD_LOCAL = bound -> ThreadLocalRandom.current().nextInt(bound);

  private RandomDraw() {
  }

  /** How many indexes of [0, size) there are to choose from when {@code skip} is left out (none when negative). */
  static int choices(int size, int skip) {
    return skip < 0 ? size : size - 1;
  }

  /** An index of [0, size) other than {@code skip}, at random; {@code size} must leave one. */
  static int index(IntUnaryOperator random, int size, int skip) {
    return unskip(random.applyAsInt(choices(size, skip)), skip);
  }

  /** The index of the position-th choice when {@code skip} is left out. */
  static int unskip(int position, int skip) {
    return skip >= 0 && position >= skip ? position + 1 : position;
  }
}
