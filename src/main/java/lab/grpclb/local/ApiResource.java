package lab.grpclb.local;

/** The Kubernetes resources the control plane serves, with the names the real API server uses. */
public enum ApiResource {
  SERVICES("/api/v1", "", "v1", "services", "Service"),
  ENDPOINTSLICES("/apis/discovery.k8s.io/v1", "discovery.k8s.io", "discovery.k8s.io/v1", "endpointslices", "EndpointSlice"),
  /** Read-only over HTTP: the local cluster's pods, as their kubelets report them. */
  PODS("/api/v1", "", "v1", "pods", "Pod");

  final String prefix;
  final String group;
  final String apiVersion;
  final String plural;
  final String kind;

  ApiResource(String prefix, String group, String apiVersion, String plural, String kind) {
    this.prefix = prefix;
    this.group = group;
    this.apiVersion = apiVersion;
    this.plural = plural;
    this.kind = kind;
  }

  /** The collection path in a namespace, e.g. {@code /apis/discovery.k8s.io/v1/namespaces/default/endpointslices}. */
  public String path(String namespace) {
    return prefix + "/namespaces/" + namespace + "/" + plural;
  }
}
