package lab.grpclb.client;

/** Told, on the balancer's event loop, when a {@link BalancedChannel} opens an endpoint's connection and when it is gone. */
public interface EndpointObserver {
  EndpointObserver NONE = new EndpointObserver() {
  };

  default void added(EndpointConnection connection) {
  }

  /** The endpoint left the Service and its last call in flight has ended. */
  default void retired(EndpointConnection connection) {
  }
}
