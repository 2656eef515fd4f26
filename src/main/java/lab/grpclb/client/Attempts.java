package lab.grpclb.client;

import java.util.ArrayList;
import java.util.List;

/**
 * What the balancing types did beyond one attempt per call: attempts sent as hedges, calls a hedge answered (not
 * the first attempt), policy retries and hedges the retry throttle refused, and calls by the attempts they made as
 * gRFC A6 counts them (index 0: none, the call found no endpoint; a transparent retry is not an attempt).
 */
public record Attempts(long hedged, long hedgeWon, long throttled, List<Long> callsByAttempts) {
  /** A channel that counts none of these (it makes one attempt per call). */
  public static final Attempts NONE = new Attempts(0, 0, 0, List.of());

  public Attempts {
    callsByAttempts = List.copyOf(callsByAttempts);
  }

  /** The counts since {@code before}. */
  public Attempts since(Attempts before) {
    return combined(before, -1);
  }

  /** These counts and {@code other}'s together: a fleet's clients. */
  public Attempts plus(Attempts other) {
    return combined(other, 1);
  }

  /** Each count plus {@code sign} times {@code other}'s, calls by attempts index by index. */
  private Attempts combined(Attempts other, int sign) {
    List<Long> calls = new ArrayList<>();
    for (int i = 0; i < Math.max(callsByAttempts.size(), other.callsByAttempts.size()); i++) {
      calls.add(callsAt(i) + sign * other.callsAt(i));
    }
    return new Attempts(hedged + sign * other.hedged, hedgeWon + sign * other.hedgeWon,
        throttled + sign * other.throttled, calls);
  }

  private long callsAt(int attempts) {
    return attempts < callsByAttempts.size() ? callsByAttempts.get(attempts) : 0;
  }

  /** Calls counted. */
  public long calls() {
    return callsByAttempts.stream().mapToLong(Long::longValue).sum();
  }

  /** The mean attempts per call, or null when no call was counted. */
  public Double meanPerCall() {
    long calls = calls();
    if (calls == 0) {
      return null;
    }
    long attempts = 0;
    for (int i = 0; i < callsByAttempts.size(); i++) {
      attempts += i * callsByAttempts.get(i);
    }
    return attempts / (double) calls;
  }
}
