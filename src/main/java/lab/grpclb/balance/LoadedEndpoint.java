package lab.grpclb.balance;

/** A pick target whose load the load-aware pickers can read. */
public interface LoadedEndpoint {
  EndpointLoad load();
}
