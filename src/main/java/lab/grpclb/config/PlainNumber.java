package lab.grpclb.config;

import java.util.regex.Pattern;

/**
 * Numbers as a query or a control gives them: ASCII digits only, with an optional fraction for a decimal. No sign,
 * space, exponent or NUL, so {@code +100}, {@code %20100} and {@code 100%00} are not read as 100.
 */
public final class PlainNumber {
  private static final Pattern WHOLE = Pattern.compile("[0-9]{1,10}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}(\\.[0-9]{1,10})?");

  private PlainNumber() {
  }

  /** The whole number {@code raw} spells, or null when it is not digits only or past an int. */
  public static Integer whole(String raw) {
    if (raw == null || !WHOLE.matcher(raw).matches()) {
      return null;
    }
    long value = Long.parseLong(raw);
    return value > Integer.MAX_VALUE ? null : (int) value;
  }

  /** The decimal {@code raw} spells (digits, optionally a point and more digits), or null. */
  public static Double decimal(String raw) {
    return raw == null || !DECIMAL.matcher(raw).matches() ? null : Double.valueOf(raw);
  }
}
