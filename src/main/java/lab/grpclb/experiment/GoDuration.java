package lab.grpclb.experiment;

import java.math.BigDecimal;

/** Formats nanoseconds the way Go's {@code time.Duration.String()} does ("522.581208ms", "1.036497709s"). */
public final class GoDuration {
  private GoDuration() {
  }

  public static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    String sign = nanos < 0 ? "-" : "";
    long abs = Math.abs(nanos);
    if (abs < 1_000) {
      return sign + abs + "ns";
    }
    if (abs < 1_000_000) {
      return sign + scaled(abs, 3) + "µs";
    }
    if (abs < 1_000_000_000) {
      return sign + scaled(abs, 6) + "ms";
    }
    return sign + hoursMinutesSeconds(abs);
  }

  private static String hoursMinutesSeconds(long nanos) {
    long totalSeconds = nanos / 1_000_000_000L;
    long hours = totalSeconds / 3600;
    long minutes = totalSeconds % 3600 / 60;
    String seconds = scaled(nanos % 60_000_000_000L, 9) + "s";
    if (hours > 0) {
      return hours + "h" + minutes + "m" + seconds;
    }
    return minutes > 0 ? minutes + "m" + seconds : seconds;
  }

  private static String scaled(long value, int decimals) {
    return BigDecimal.valueOf(value, decimals).stripTrailingZeros().toPlainString();
  }
}
