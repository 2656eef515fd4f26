package lab.grpclb.bench;

import java.util.List;
import lab.grpclb.config.ClientType;

/** The grpc-java peer's client types, and which of ours each one stands beside in the benchmark. */
public final class GrpcJavaTypes {
  /** One ManagedChannel to the address ours dials: ClientWithReuseConn's counterpart. */
  public static final String ONE_CHANNEL = "grpc-java/one-channel";
  /** round_robin over the pods' addresses from a static resolver: ClientWithKubeResolver's counterpart. */
  public static final String ROUND_ROBIN = "grpc-java/round_robin";
  public static final List<String> ALL = List.of(ONE_CHANNEL, ROUND_ROBIN);
  /** What the peer logs once its API listens, followed by its address. */
  public static final String READY = "grpc-java peer listening on ";

  private GrpcJavaTypes() {
  }

  /**
   * grpc-java's counterpart of one of our types, by its wire name (a row's type), or null (Client, a connection
   * per call, has none; nor has a peer's own type).
   */
  static String counterpartOf(String ours) {
    if (ours.equals(ClientType.REUSE_CONN.wireName())) {
      return ONE_CHANNEL;
    }
    return ours.equals(ClientType.KUBE_RESOLVER.wireName()) ? ROUND_ROBIN : null;
  }
}
