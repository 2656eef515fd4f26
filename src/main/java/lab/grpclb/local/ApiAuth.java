package lab.grpclb.local;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may do what: an optional bearer token (401 without it), anonymous reads (an API server with
 * anonymous access, for kubectl, which sends no token over plain HTTP), and resources whose RBAC is
 * missing (403 naming the verb, the resource and the service account, as the real message does). It also
 * remembers every (verb, resource) asked for, as an audit log would.
 */
final class ApiAuth {
  /** Why a request was refused: its HTTP status, the Status reason, and the message. */
  record Refusal(int code, String reason, String message) {
  }

  private final Set<ApiResource> forbidden = ConcurrentHashMap.newKeySet();
  private final Set<String> requestsSeen = ConcurrentHashMap.newKeySet();
  private volatile String token;
  private volatile boolean allowAnonymous;

  /** Requires {@code Authorization: Bearer <token>} from now on (null: no check). */
  void requireToken(String token) {
    this.token = token;
  }

  /** Lets requests without any Authorization header read; a wrong token is still refused. */
  void allowAnonymous(boolean allow) {
    this.allowAnonymous = allow;
  }

  void forbid(ApiResource resource, boolean forbid) {
    if (forbid) {
      forbidden.add(resource);
    } else {
      forbidden.remove(resource);
    }
  }

  /** Every (verb, resource) asked for so far, such as "watch endpointslices.discovery.k8s.io". */
  Set<String> requestsSeen() {
    return Set.copyOf(requestsSeen);
  }

  /** Empty when the request may go on. */
  Optional<Refusal> check(String authorization, String verb, ApiResource resource, String namespace) {
    String qualified = resource.plural + (resource.group.isEmpty() ? "" : "." + resource.group);
    requestsSeen.add(verb + " " + qualified);
    String expected = token;
    boolean anonymousOk = allowAnonymous && authorization == null;
    if (expected != null && !anonymousOk && !("Bearer " + expected).equals(authorization)) {
      return Optional.of(new Refusal(401, "Unauthorized", "Unauthorized"));
    }
    if (forbidden.contains(resource)) {
      boolean all = namespace.equals(ObjectStore.ALL_NAMESPACES);
      String scope = all ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
      return Optional.of(new Refusal(403, "Forbidden", qualified + " is forbidden: User \"system:serviceaccount:"
          + (all ? EndpointController.NAMESPACE : namespace) + ":greeter-client\" cannot " + verb + " resource \"" + resource.plural + "\" in API group \""
          + resource.group + "\" " + scope));
    }
    return Optional.empty();
  }
}
