package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lab.grpclb.client.FleetChannel;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.FleetConfig;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.LocalZones;
import lab.grpclb.config.PlainNumber;
import lab.grpclb.experiment.FleetWitness;
import lab.grpclb.http.Responses;
import lab.grpclb.http.StrictQuery;
import lab.grpclb.mode.client.ClientMode;

/**
 * Local mode's fleet of experiment clients (--clients M, {@code POST /cluster/clients?replicas=M}): client 0 is
 * the one with the HTTP API; clients 1 to M-1 each have their own channels, balancer, discovery (their own watch and
 * DNS answers) and shared connection through the service address, and share only the JVM's event loops. Client i
 * is named {@code client-i} (or after --client-id) and runs in zone i of a round robin over --zones, starting at
 * client 0's. An experiment sends call i to client i mod M; its full answer adds what {@link #begin} watches.
 */
final class ClientFleet implements FleetWitness {
  private static final Logger LOG = Logger.getLogger(ClientFleet.class.getName());
  static final int MAX_CLIENTS = LocalConfig.MAX_CLIENTS;

  private final Vertx vertx;
  private final LocalCluster cluster;
  private final Supplier<ClientConfig> config;
  private final Function<ClientMode, Future<ClientMode>> discovered;
  /** Clients 1 to M-1, swapped whole; their channels by type, swapped with them (FleetChannel keys on identity). */
  private volatile List<ClientMode> others = List.of();
  private volatile Map<ClientType, List<GreeterChannel>> channels = channelsOf(List.of());
  private volatile List<FleetConfig> places = List.of();
  /** Scales one at a time, in order. */
  private Future<Void> scaling = Future.succeededFuture();

  /** {@code config}: client 0's, which the others copy; {@code discovered}: completes once a client lists the pods. */
  ClientFleet(Vertx vertx, LocalCluster cluster, Supplier<ClientConfig> config,
              Function<ClientMode, Future<ClientMode>> discovered) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.config = config;
    this.discovered = discovered;
  }

  /** The other clients' channels of {@code type}, the same list until the fleet changes. */
  List<GreeterChannel> others(ClientType type) {
    return channels.get(type);
  }

  int size() {
    return others.size() + 1;
  }

  /** Starts or stops clients until there are {@code replicas}; one scale at a time. */
  synchronized Future<Void> scale(int replicas) {
    scaling = scaling.transform(v -> resize(replicas));
    return scaling;
  }

  private Future<Void> resize(int replicas) {
    List<ClientMode> now = others;
    if (replicas - 1 == now.size()) {
      return Future.succeededFuture();
    }
    if (replicas - 1 < now.size()) {
      List<ClientMode> kept = List.copyOf(now.subList(0, replicas - 1));
      List<ClientMode> gone = now.subList(replicas - 1, now.size());
      publish(kept);
      LOG.info(() -> "clients: " + replicas + " (stopped " + gone.size() + ")");
      return Future.join(gone.stream().map(ClientMode::close).toList()).mapEmpty();
    }
    List<Future<ClientMode>> started = new ArrayList<>();
    for (int i = now.size() + 1; i < replicas; i++) {
      started.add(new ClientMode(vertx, member(i)).startChannels().compose(discovered));
    }
    return Future.join(started).transform(ar -> {
      List<ClientMode> all = new ArrayList<>(now);
      started.stream().filter(Future::succeeded).forEach(f -> all.add(f.result()));
      publish(List.copyOf(all));
      LOG.info(() -> "clients: " + size() + ", each with its own channels, discovery and shared connection");
      return ar.succeeded() ? Future.succeededFuture()
          : Future.failedFuture("a client failed to start: " + ar.cause().getMessage());
    });
  }

  private void publish(List<ClientMode> clients) {
    List<FleetConfig> placed = new ArrayList<>();
    for (int i = 1; i <= clients.size(); i++) {
      placed.add(member(i).balancer().fleet());
    }
    places = List.copyOf(placed);
    channels = channelsOf(clients);
    others = clients;
  }

  private static Map<ClientType, List<GreeterChannel>> channelsOf(List<ClientMode> clients) {
    Map<ClientType, List<GreeterChannel>> byType = new EnumMap<>(ClientType.class);
    for (ClientType type : ClientType.values()) {
      byType.put(type, clients.stream().map(c -> c.channel(type)).toList());
    }
    return byType;
  }

  /** Client {@code i}'s config: client 0's, under its own id and in its own zone. */
  private ClientConfig member(int i) {
    ClientConfig first = config.get();
    FleetConfig fleet = first.balancer().fleet();
    LocalZones zones = cluster.zones();
    String zone = zones.on() ? zones.roundRobin(zones.names().indexOf(fleet.zone()) + i) : fleet.zone();
    return first.withHttp("127.0.0.1", 0).withFleet(fleet.withClient(memberId(fleet.clientId(), i), zone));
  }

  /** client-0's fellows are client-1, client-2...; another id X's are ... */
  static String memberId(String first, int i) {
    String base = first.endsWith("-0") ? first.substring(0, first.length() - 2) : first;
    return base + "-" + i;
  }

  Future<Void> close() {
    List<ClientMode> all = others;
    publish(List.of());
    return Future.join(all.stream().map(ClientMode::close).toList()).mapEmpty();
  }

  void mount(Router router) {
    router.post("/cluster/clients").handler(StrictQuery.allow("replicas")).handler(this::scaleRoute);
  }

  /** {@code POST /cluster/clients?replicas=M}: answers once the new clients have listed the pods. */
  private void scaleRoute(RoutingContext ctx) {
    String raw = ctx.queryParams().get("replicas");
    Integer replicas = PlainNumber.whole(raw);
    if (replicas == null || replicas < 1 || replicas > MAX_CLIENTS) {
      Responses.error(ctx, 400, "replicas must be an integer from 1 to " + MAX_CLIENTS
          + (raw == null ? ", and is missing" : ", got '" + raw + "'"));
      return;
    }
    scale(replicas).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, 500, ar.cause().getMessage());
      } else {
        Responses.json(ctx, 200, view());
      }
    });
  }

  /** The clients, first to last: id and zone. */
  JsonObject view() {
    FleetConfig first = config.get().balancer().fleet();
    JsonArray clients = new JsonArray().add(place(first));
    places.forEach(p -> clients.add(place(p)));
    return new JsonObject().put("replicas", size()).put("clients", clients);
  }

  private static JsonObject place(FleetConfig fleet) {
    return new JsonObject().put("client_id", fleet.clientId()).put("zone", fleet.zone());
  }

  @Override
  public WatchedRun begin(GreeterChannel channel) {
    long startNanos = System.nanoTime();
    FleetChannel fleet = channel instanceof FleetChannel f ? f : null;
    int size = fleet == null ? 1 : fleet.members().size();
    long[] before = new long[size];
    List<Map<String, Long>> attemptsBefore = new ArrayList<>(size);
    for (int i = 0; i < size && fleet != null; i++) {
      before[i] = fleet.callsSentTo(i);
      attemptsBefore.add(fleet.members().get(i).attemptsPerIp());
    }
    List<FleetConfig> placed = places;
    return countPerIp -> fields(fleet, before, placed, startNanos, countPerIp)
        .mergeIn(zoneCounts(fleet, attemptsBefore, placed));
  }

  /**
   * {@code calls_in_zone} and {@code calls_cross_zone}: each client's attempts per pod during the run (its balancer
   * counts them anyway, so this costs no call anything), split by whether the pod's zone is the client's. Attempts,
   * so a retry or a hedge counts again. Empty unless zones are on and the type picks pods itself (a type that dials
   * the service address cannot tell which pod it reached).
   */
  private JsonObject zoneCounts(FleetChannel fleet, List<Map<String, Long>> before, List<FleetConfig> placed) {
    if (fleet == null || !cluster.zones().on()) {
      return new JsonObject();
    }
    Map<String, String> podZones = new TreeMap<>();
    cluster.pods().forEach(pod -> podZones.put(pod.ip(), pod.zone()));
    List<GreeterChannel> members = fleet.members();
    FleetConfig first = config.get().balancer().fleet();
    long inZone = 0;
    long crossZone = 0;
    for (int i = 0; i < before.size() && i < members.size(); i++) {
      FleetConfig place = i == 0 ? first : i - 1 < placed.size() ? placed.get(i - 1) : null;
      if (place == null || place.zone() == null) {
        continue;
      }
      Map<String, Long> then = before.get(i);
      for (Map.Entry<String, Long> now : members.get(i).attemptsPerIp().entrySet()) {
        long attempts = Math.max(0, now.getValue() - then.getOrDefault(now.getKey(), 0L)); // a closed connection takes its count
        String zone = podZones.get(now.getKey());
        if (zone != null && zone.equals(place.zone())) {
          inZone += attempts;
        } else if (zone != null) {
          crossZone += attempts;
        }
      }
    }
    return inZone + crossZone == 0 ? new JsonObject()
        : new JsonObject().put("calls_in_zone", inZone).put("calls_cross_zone", crossZone);
  }

  private JsonObject fields(FleetChannel fleet, long[] before, List<FleetConfig> placed, long startNanos,
                            Map<String, Integer> countPerIp) {
    JsonArray perClient = new JsonArray();
    List<GreeterChannel> members = fleet == null ? List.of() : fleet.members();
    FleetConfig first = config.get().balancer().fleet();
    for (int i = 0; i < before.length && i < members.size(); i++) {
      FleetConfig place = i == 0 ? first : i - 1 < placed.size() ? placed.get(i - 1) : null;
      perClient.add(new JsonObject()
          .put("client_id", place == null ? null : place.clientId())
          .put("zone", place == null ? null : place.zone())
          .put("calls", fleet.callsSentTo(i) - before[i])
          .put("connections", members.get(i).connectionsOpen()));
    }
    Map<String, Integer> perPod = new TreeMap<>();
    Map<String, Integer> load = new TreeMap<>(countPerIp);
    for (Pod pod : cluster.pods()) {
      perPod.put(pod.ip(), pod.server().connectionsGreetedSince(startNanos));
      if (pod.ready()) {
        load.putIfAbsent(pod.ip(), 0); // a ready pod that got no call counts in the mean
      }
    }
    return new JsonObject()
        .put("clients", before.length)
        .put("per_client", perClient)
        .put("connections_per_pod", new JsonObject(new TreeMap<String, Object>(perPod)))
        .put("load_max_over_mean", maxOverMean(load.values()));
  }

  /** The fullest pod's calls over the mean pod's; null with no call. */
  static Double maxOverMean(Collection<Integer> calls) {
    long total = calls.stream().mapToLong(Integer::longValue).sum();
    if (total == 0) {
      return null;
    }
    int max = calls.stream().mapToInt(Integer::intValue).max().orElse(0);
    return Math.round(max * calls.size() * 1000.0 / total) / 1000.0;
  }
}
