package lab.grpclb.client;

/**
 * Calls sent again, by gRPC's two kinds of retry: transparent (the server's application never saw the call)
 * and by the retry policy (the call may have run once already).
 */
public record Retries(long transparent, long policy) {
  public static final Retries NONE = new Retries(0, 0);

  public long total() {
    return transparent + policy;
  }

  /** The retries since {@code before}. */
  public Retries since(Retries before) {
    return new Retries(transparent - before.transparent, policy - before.policy);
  }
}
