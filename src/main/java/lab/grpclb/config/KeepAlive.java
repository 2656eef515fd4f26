package lab.grpclb.config;

/**
 * gRFC A8 client keepalive: a connection that received nothing for {@code timeMs} while calls are in flight (or
 * at all, {@code withoutCalls}) is sent a PING, and closed when no ACK comes within {@code timeoutMs}. It is how a
 * client learns that a pod went silent (a lost node, a frozen process): no RST or FIN ever arrives then.
 */
public record KeepAlive(long timeMs, long timeoutMs, boolean withoutCalls) {
  /** Keepalive off (gRPC's own default): a silent connection is noticed only when the kernel gives up. */
  public static final KeepAlive OFF = new KeepAlive(0, FlagTable.KEEPALIVE_TIMEOUT_MS.defaultValue(), false);

  public static KeepAlive from(Flags flags) {
    return new KeepAlive(flags.integer(FlagTable.KEEPALIVE_TIME_MS), flags.integer(FlagTable.KEEPALIVE_TIMEOUT_MS),
        flags.bool(FlagTable.KEEPALIVE_WITHOUT_CALLS));
  }

  public boolean on() {
    return timeMs > 0;
  }
}
