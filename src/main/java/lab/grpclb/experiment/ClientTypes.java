package lab.grpclb.experiment;

import java.util.List;

/** The client types an experiment compares, by the names the reference uses. */
public final class ClientTypes {
  public static final String CLIENT = "Client";
  public static final String REUSE_CONN = "ClientWithReuseConn";
  public static final String KUBE_RESOLVER = "ClientWithKubeResolver";
  public static final List<String> ALL = List.of(CLIENT, REUSE_CONN, KUBE_RESOLVER);

  private ClientTypes() {
  }
}
