package lab.grpclb.balance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import lab.grpclb.discovery.Endpoint;

/**
 * Where a zone-aware client sends its calls: pools of endpoints and the share of calls each pool takes. Worked out
 * as Envoy's zone-aware routing does ({@code ZoneAwareLoadBalancerBase::regenerateLocalityRoutingStructures}): when
 * the client's zone holds at least its fleet's share of the endpoints, every call stays in the zone; otherwise the
 * zone takes what its endpoints can serve (its share of endpoints / its share of clients) and the rest spills to the
 * other zones in proportion to their residual capacity (their share of endpoints above their share of clients).
 * With the client fleet spread over the zones as assumed, every pod then serves the same load.
 *
 * <p>One client cannot see the fleet, so the fleet is assumed spread evenly over the zones given ({@code --zones}),
 * else over the zones known (the endpoints' and the client's own). Kubernetes' topology hints are taken when every
 * endpoint has some, some are for the client's zone, and those can carry the zone's share of the fleet: then calls go
 * to them only, as kube-proxy does. Under {@code trafficDistribution: PreferClose} the controller hints every endpoint
 * for its own zone however few they are, and kube-proxy then overloads a short zone (the case PreferSameZone's docs
 * warn of); a client that balances spills instead, by the rule above. Unlike Envoy there is no minimum cluster size
 * (Envoy's default 6): the lab's Services are small on purpose.
 */
public record ZonePlan(Routing mode, Map<String, List<Endpoint>> pools, Map<String, Double> shares) {

  /** How the plan was made; {@link #EVERYWHERE} when zones do not decide (unknown zone, none of its pods). */
  public enum Routing {
    /** Topology hints: the endpoints hinted for the client's zone. */
    HINTS,
    /** The client's zone holds its share of endpoints or more: every call stays there. */
    LOCAL,
    /** The client's zone is short: part of its calls spill to the other zones. */
    SPILL,
    /** No zone routing: each zone takes its share of endpoints. */
    EVERYWHERE
  }

  public ZonePlan {
    pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    shares = Collections.unmodifiableMap(new LinkedHashMap<>(shares));
  }

  /** The pool of endpoints whose zone is unknown. */
  public static final String NO_ZONE = "";

  /** An empty plan: no endpoints. */
  public static final ZonePlan NONE = new ZonePlan(Routing.EVERYWHERE, Map.of(), Map.of());

  /** The plan for {@code routable} endpoints seen from a client in {@code clientZone}, its fleet over {@code fleetZones}. */
  public static ZonePlan of(List<Endpoint> routable, String clientZone, List<String> fleetZones) {
    Map<String, List<Endpoint>> byZone = byZone(routable);
    if (clientZone == null || clientZone.isBlank()) {
      return everywhere(byZone);
    }
    Set<String> fleet = fleet(byZone.keySet(), clientZone, fleetZones);
    double n = routable.size();
    double clientsLocal = 1.0 / fleet.size();
    List<Endpoint> hinted = hintedFor(routable, clientZone);
    if (!hinted.isEmpty() && hinted.size() / n >= clientsLocal) {
      return new ZonePlan(Routing.HINTS, Map.of("hints:" + clientZone, hinted), Map.of("hints:" + clientZone, 1.0));
    }
    List<Endpoint> local = byZone.get(clientZone);
    if (local == null) {
      return everywhere(byZone);
    }
    double endpointsLocal = local.size() / n;
    if (endpointsLocal >= clientsLocal) {
      return new ZonePlan(Routing.LOCAL, Map.of(clientZone, local), Map.of(clientZone, 1.0));
    }
    double localShare = endpointsLocal / clientsLocal;
    Map<String, Double> residual = new LinkedHashMap<>();
    byZone.forEach((zone, endpoints) -> {
      double clients = fleet.contains(zone) ? clientsLocal : 0; // every fleet zone holds as many clients
      if (!zone.equals(clientZone) && endpoints.size() / n > clients) {
        residual.put(zone, endpoints.size() / n - clients);
      }
    });
    double total = residual.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    shares.put(clientZone, localShare);
    residual.forEach((zone, capacity) -> shares.put(zone, (1 - localShare) * capacity / total));
    Map<String, List<Endpoint>> pools = new LinkedHashMap<>();
    shares.keySet().forEach(zone -> pools.put(zone, byZone.get(zone)));
    return new ZonePlan(Routing.SPILL, pools, shares);
  }

  /** The share of calls that stay in {@code zone}'s pool (0 when it has none). */
  public double share(String pool) {
    return shares.getOrDefault(pool, 0.0);
  }

  private static Map<String, List<Endpoint>> byZone(List<Endpoint> routable) {
    Map<String, List<Endpoint>> byZone = new LinkedHashMap<>();
    routable.forEach(e -> byZone.computeIfAbsent(Objects.requireNonNullElse(e.zone(), NO_ZONE),
        z -> new ArrayList<>()).add(e));
    return byZone;
  }

  /** Kubernetes' rule: hints count only when every endpoint has some, and only if some are for this zone. */
  private static List<Endpoint> hintedFor(List<Endpoint> routable, String clientZone) {
    if (routable.isEmpty() || routable.stream().anyMatch(e -> e.forZones().isEmpty())) {
      return List.of();
    }
    return routable.stream().filter(e -> e.forZones().contains(clientZone)).toList();
  }

  private static Set<String> fleet(Set<String> endpointZones, String clientZone, List<String> fleetZones) {
    Set<String> fleet = new LinkedHashSet<>();
    if (fleetZones.isEmpty()) {
      endpointZones.stream().filter(z -> !z.equals(NO_ZONE)).forEach(fleet::add);
    } else {
      fleet.addAll(fleetZones);
    }
    fleet.add(clientZone);
    return fleet;
  }

  private static ZonePlan everywhere(Map<String, List<Endpoint>> byZone) {
    double n = byZone.values().stream().mapToInt(List::size).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    byZone.forEach((zone, endpoints) -> shares.put(zone, endpoints.size() / n));
    return new ZonePlan(Routing.EVERYWHERE, byZone, shares);
  }
}
