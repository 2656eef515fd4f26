package lab.grpclb.local;

import java.util.List;

/** The Kubernetes resources the control plane serves, with the names the real API server uses. */
public enum ApiResource {
  SERVICES("/api/v1", "", "v1", "services", "Service", List.of()),
  ENDPOINTSLICES("/apis/discovery.k8s.io/v1", "discovery.k8s.io", "discovery.k8s.io/v1", "endpointslices", "EndpointSlice", List.of()),
  /** The local cluster's pods, as their kubelets report them; a DELETE deletes one as kubectl does. */
  PODS("/api/v1", "", "v1", "pods", "Pod", List.of()),
  /** The one Deployment, greeter-server: its status follows the pods, its scale and spec drive them. */
  DEPLOYMENTS("/apis/apps/v1", "apps", "apps/v1", "deployments", "Deployment", List.of("scale")),
  /** What the controllers and the kubelet did: scaled, created, deleted, stopped. */
  EVENTS("/api/v1", "", "v1", "events", "Event", List.of());

  final String prefix;
  final String group;
  final String apiVersion;
  final String plural;
  final String kind;
  /** The subresources served under an object, such as a Deployment's {@code scale}. */
  final List<String> subresources;

  ApiResource(String prefix, String group, String apiVersion, String plural, String kind, List<String> subresources) {
    this.prefix = prefix;
    this.group = group;
    this.apiVersion = apiVersion;
    this.plural = plural;
    this.kind = kind;
    this.subresources = subresources;
  }

  /** The collection path in a namespace, e.g. {@code /apis/discovery.k8s.io/v1/namespaces/default/endpointslices}. */
  public String path(String namespace) {
    return prefix + "/namespaces/" + namespace + "/" + plural;
  }
}
