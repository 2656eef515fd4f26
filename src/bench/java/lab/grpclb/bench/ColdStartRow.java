package lab.grpclb.bench;

import java.util.List;

/**
 * {@code --cold-starts}: one client type's fresh JVMs, each timed on its first run after it started and on its
 * third (by then warm), or why it could not be ({@code na}).
 */
record ColdStartRow(String type, int n, List<Start> starts, String na) {

  /** The first cold run may take at most this multiple of a warm one (issue #12's target). */
  static final double TARGET_RATIO = 1.5;

  /** One fresh JVM: seconds from its launch until its first run was answered, and its first and third runs. */
  record Start(double untilFirstAnswerS, double firstMs, double thirdMs) {
    double ratio() {
      return firstMs / thirdMs;
    }
  }

  static ColdStartRow na(String type, int n, String why) {
    return new ColdStartRow(type, n, List.of(), why);
  }

  boolean measured() {
    return na == null && !starts.isEmpty();
  }

  List<Double> firstMs() {
    return starts.stream().map(Start::firstMs).toList();
  }

  List<Double> thirdMs() {
    return starts.stream().map(Start::thirdMs).toList();
  }

  List<Double> ratios() {
    return starts.stream().map(Start::ratio).toList();
  }

  List<Double> untilFirstAnswerS() {
    return starts.stream().map(Start::untilFirstAnswerS).toList();
  }

  long withinTarget() {
    return starts.stream().filter(s -> s.ratio() <= TARGET_RATIO).count();
  }
}
