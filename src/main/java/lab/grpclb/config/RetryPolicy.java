package lab.grpclb.config;

import java.util.Locale;

/**
 * What ClientWithKubeResolver may re-send, by gRPC's rules (gRFC A6). A call the server's application never
 * saw is always re-sent transparently, once. Beyond that, {@link Kind#IDEMPOTENT} re-sends a call that failed
 * UNAVAILABLE after it may have reached a pod, on another pod, up to {@code maxAttempts} attempts in all and
 * never past the call's deadline: at-least-once delivery, right only for methods safe to run twice (SayHello
 * is). {@link Kind#NONE} never does, so such a call fails. A hedged call ({@link HedgingPolicy}) follows no retry
 * policy; {@link AttemptPolicy} decides which a call has.
 */
public record RetryPolicy(Kind kind, int maxAttempts) {
  /** grpc clamps maxAttempts to 5. */
  public static final int MAX_ATTEMPTS = 5;
  /** The flags' defaults. */
  public static final RetryPolicy DEFAULT = from(Flags.none());

  public enum Kind { NONE, IDEMPOTENT }

  public static RetryPolicy from(Flags flags) {
    String raw = flags.text(FlagTable.RETRY_POLICY);
    Kind kind;
    try {
      kind = Kind.valueOf(raw.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--retry-policy must be none or idempotent, got '" + raw + "'");
    }
    return new RetryPolicy(kind, flags.integer(FlagTable.MAX_ATTEMPTS));
  }

  public String flagValue() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
