package lab.grpclb.experiment;

import java.util.List;

/** The client types an experiment compares, by the names the reference uses. */
public final class ClientTypes {
  public static final String CLIENT = "Client";
  public static final String REUSE_CONN = "ClientWithReuseConn";
  public static final String KUBE_RESOLVER = "ClientWithKubeResolver";
  /** Not in the reference: the headless-Service DNS client that gRPC users reach for first (issue 13). */
  public static final String DNS_RESOLVER = "ClientWithDnsResolver";
  public static final List<String> ALL = List.of(CLIENT, REUSE_CONN, KUBE_RESOLVER, DNS_RESOLVER);
  /** The types that balance over pod endpoints with our pickers: the ones an {@code lb=} means something for. */
  public static final List<String> BALANCING = List.of(KUBE_RESOLVER, DNS_RESOLVER);
  /** The three the write-up compares, in its order: its tables and charts stay as it drew them. */
  public static final List<String> WRITEUP = List.of(CLIENT, REUSE_CONN, KUBE_RESOLVER);

  private ClientTypes() {
  }
}
