package lab.grpclb.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may do what, as an API server's authentication and RBAC answer it: a token that may do anything (the
 * kubeconfig's), tokens that may only read (the lab client's service account), anonymous reads when allowed, and
 * resources whose RBAC is missing. A wrong token is 401; a user without the right is 403 naming the user, the verb,
 * the resource and the namespace, as the real message does. It also remembers every (verb, resource) asked for, as
 * an audit log would.
 */
final class ApiAuth {
  /** Why a request was refused: its HTTP status, the Status reason, and the message. */
  record Refusal(int code, String reason, String message) {
  }

  /** Who a request acts as; only some users may change objects. */
  private record User(String name, boolean writes) {
  }

  private static final User ADMIN = new User("kubernetes-admin", true);
  private static final User ANONYMOUS = new User("system:anonymous", false);
  private static final String BEARER = "Bearer ";

  private final Set<ApiResource> forbidden = ConcurrentHashMap.newKeySet();
  private final Set<String> requestsSeen = ConcurrentHashMap.newKeySet();
  private final Map<String, String> readers = new ConcurrentHashMap<>();
  private volatile String token;
  private volatile boolean allowAnonymous;

  /** Requires {@code Authorization: Bearer <token>} from now on, a token that may do anything (null: no check). */
  void requireToken(String token) {
    this.token = token;
  }

  /** A token that may get, list and watch, as {@code user}; its writes are 403. */
  void addReader(String token, String user) {
    readers.put(token, user);
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

  /** Empty when the request may go on; {@code name} and {@code subresource} are empty for a collection. */
  Optional<Refusal> check(String authorization, ApiVerb verb, ApiResource resource, String subresource, String namespace,
                          String name) {
    String qualified = resource.plural + (resource.group.isEmpty() ? "" : "." + resource.group);
    requestsSeen.add(verb.rbac() + " " + qualified + (subresource.isEmpty() ? "" : "/" + subresource));
    Optional<User> user = user(authorization);
    if (user.isEmpty()) {
      return Optional.of(new Refusal(401, "Unauthorized", "Unauthorized"));
    }
    if (verb.writes() && !user.get().writes()) {
      return Optional.of(forbidden(qualified, name, user.get().name(), verb, resource, subresource, namespace));
    }
    if (forbidden.contains(resource)) {
      boolean all = namespace.equals(ObjectStore.ALL_NAMESPACES);
      return Optional.of(forbidden(qualified, name, "system:serviceaccount:" + (all ? EndpointController.NAMESPACE : namespace)
          + ":greeter-client", verb, resource, subresource, namespace));
    }
    return Optional.empty();
  }

  private Optional<User> user(String authorization) {
    String admin = token;
    if (admin == null && readers.isEmpty()) {
      return Optional.of(ADMIN); // no authentication configured
    }
    if (authorization == null) {
      return allowAnonymous ? Optional.of(ANONYMOUS) : Optional.empty();
    }
    if (admin != null && same(authorization, BEARER + admin)) {
      return Optional.of(ADMIN);
    }
    return readers.entrySet().stream().filter(e -> same(authorization, BEARER + e.getKey()))
        .map(e -> new User(e.getValue(), false)).findFirst();
  }

  /** Compares in constant time, so the answer's timing tells nothing about a token. */
  private static boolean same(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private static Refusal forbidden(String qualified, String name, String user, ApiVerb verb, ApiResource resource,
                                   String subresource, String namespace) {
    boolean all = namespace.equals(ObjectStore.ALL_NAMESPACES);
    String scope = all ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
    return new Refusal(403, "Forbidden", qualified + (name.isEmpty() ? "" : " \"" + name + "\"") + " is forbidden: User \""
        + user + "\" cannot " + verb.rbac() + " resource \"" + resource.plural + (subresource.isEmpty() ? "" : "/" + subresource)
        + "\" in API group \"" + resource.group + "\" " + scope);
  }
}
