package lab.grpclb.config;

/**
 * gRFC A8 on the server side: how often a client may ping ({@code permitTimeMs}), and whether it may ping a
 * connection with no call in flight. A client that pings more often is sent away with GOAWAY ENHANCE_YOUR_CALM
 * {@code too_many_pings}: pings cost the server, and a misconfigured fleet of clients could flood it.
 */
public record PingPolicy(long permitTimeMs, boolean permitWithoutCalls) {
  /** gRPC's defaults: one ping per 5 minutes, none without calls. */
  public static final PingPolicy GRPC_DEFAULT = from(Flags.none());

  public static PingPolicy from(Flags flags) {
    return new PingPolicy(flags.integer(FlagTable.PERMIT_KEEPALIVE_TIME_MS),
        flags.bool(FlagTable.PERMIT_KEEPALIVE_WITHOUT_CALLS));
  }

  /** A policy the lab's own client never breaks: it pings at most every {@code keepAlive.timeMs()}. */
  public static PingPolicy permitting(KeepAlive keepAlive) {
    return new PingPolicy(keepAlive.on() ? keepAlive.timeMs() : GRPC_DEFAULT.permitTimeMs, keepAlive.withoutCalls());
  }
}
