package lab.grpclb.discovery;

/** Told each new endpoint snapshot of the Service, from discovery's thread (a balanced channel is one). */
@FunctionalInterface
public interface EndpointsListener {
  void endpointsChanged(EndpointSet endpoints);
}
