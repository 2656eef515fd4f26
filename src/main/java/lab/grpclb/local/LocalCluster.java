package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Logger;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.LocalZones;
import lab.grpclb.config.MaxConnectionAge;
import lab.grpclb.config.PingPolicy;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.server.GreeterServer;

/**
 * The Deployment and its pods: greeter replicas on their own loopback addresses, scaled up and down and
 * deleted as kubectl would, each change announced to listeners (the control plane's endpoint controller).
 */
public final class LocalCluster {
  private static final Logger LOG = Logger.getLogger(LocalCluster.class.getName());
  static final String DEPLOYMENT = "greeter-server";
  /** The pod template's hash, part of every pod's name; a rollout restart changes the template, so the hash. */
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  /** Pod IPs 127.0.0.2 to 127.0.0.199 in turn; the service and control plane live above them. */
  private static final int FIRST_IP = 2;
  private static final int LAST_IP = 199;
  /** Every pod holds one of these until it is gone, a terminating one while it drains too. */
  static final int POD_ADDRESSES = LAST_IP - FIRST_IP + 1;
  /**
   * How long a crashed pod's endpoint stays ready: until the kubelet notices its process is gone. A node that
   * goes silent keeps its pods listed far longer (--node-monitor-grace-period, 40 s, 50 s in recent releases),
   * hence the maximum.
   */
  public static final int DEFAULT_CRASH_NOTICED_MS = 1_000;
  public static final int MAX_CRASH_NOTICED_MS = 60_000;
  /**
   * How long a frozen pod's endpoint stays ready: a pod whose node goes silent is marked not ready after the
   * controller manager's --node-monitor-grace-period (40 s; 50 s in recent releases).
   */
  public static final int DEFAULT_FREEZE_NOTICED_MS = 40_000;
  public static final int MAX_FREEZE_NOTICED_MS = 3_600_000;

  private final Vertx vertx;
  private final PingPolicy pings;
  private final int port;
  /** What local mode started with: the template route's parameters default to it. */
  private final PodTemplate startTemplate;
  /** The template new pods start from: a rollout replaces it, the template route changes what it runs. */
  private volatile PodTemplate template;
  private volatile MaxConnectionAge maxConnectionAge = MaxConnectionAge.OFF;
  private final Map<String, Pod> pods = new ConcurrentSkipListMap<>();
  private final LocalZones zones;
  private final List<Consumer<Collection<Pod>>> listeners = new CopyOnWriteArrayList<>();
  private int nextIp = FIRST_IP;
  /** The Deployment's replicas, as the last scale accepted set them. */
  private volatile int desired;
  /**
   * Replacements the Deployment owes but could not start, every pod address being held (by pods draining their
   * calls, mostly): each starts as soon as a pod is gone and frees its address.
   */
  private volatile int waitingForAddress;

  /**
   * A change the cluster's state does not allow (the pod is gone or not in the phase asked for, no pod address is
   * free): nothing was changed, and the message says why. The controls answer it with 409, never 500.
   */
  static final class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What became of a pod the Deployment had to replace: the replacement once it serves, or null and why there is
   * none (yet).
   */
  record Replacement(Pod pod, String missing) {
    static Replacement serving(Pod pod) {
      return new Replacement(pod, null);
    }

    static Replacement none(String why) {
      return new Replacement(null, why);
    }
  }

  /**
   * {@code pings}: what every pod permits, so that the lab's own client is never sent away for its keepalive;
   * {@code template}: every new pod's delay, capacity and warm-up, until {@link #template(PodTemplate)} changes it.
   */
  public LocalCluster(Vertx vertx, int port, PodTemplate template, PingPolicy pings) {
    this(vertx, port, template, pings, LocalZones.OFF);
  }

  /** The same, each new pod placed in one of {@code zones} (none when off). */
  public LocalCluster(Vertx vertx, int port, PodTemplate template, PingPolicy pings, LocalZones zones) {
    this.zones = zones;
    this.vertx = vertx;
    this.port = port;
    this.startTemplate = template;
    this.template = template;
    this.pings = pings;
  }

  /** What every pod started from now on gets. */
  public PodTemplate template() {
    return template;
  }

  /** The template local mode started with, from its flags. */
  public PodTemplate startTemplate() {
    return startTemplate;
  }

  /** Pods started from now on run {@code next}'s delay, capacity and warm-up; running ones keep theirs. */
  public void template(PodTemplate next) {
    template = template.withRun(next.delayMs(), next.capacity(), next.warmUp());
    LOG.info(() -> "pod template: new pods reply after " + next.delayMs() + " ms, " + next.capacity().describe()
        + ", warm-up " + next.warmUp().describe());
  }

  /** Called after every change of any pod's state, with all pods. */
  public void onChange(Consumer<Collection<Pod>> listener) {
    listeners.add(listener);
  }

  public Collection<Pod> pods() {
    return pods.values();
  }

  public Pod pod(String name) {
    return pods.get(name);
  }

  public List<SocketAddress> readyAddresses() {
    List<SocketAddress> ready = new ArrayList<>();
    for (Pod pod : pods.values()) {
      if (pod.ready()) {
        ready.add(pod.address());
      }
    }
    return ready;
  }

  /** The Deployment's replicas, as the last scale accepted set them. */
  public int desired() {
    return desired;
  }

  /** Replacements waiting for a pod address to free up (0 but while every address is held). */
  public int waitingForAddress() {
    return waitingForAddress;
  }

  /**
   * Like {@code kubectl scale --replicas}: starts or drains pods until that many are live. All or nothing: when
   * the new pods would need more addresses than are free (pods draining long calls hold theirs), it fails with a
   * {@link Conflict} naming the limit at once, and the Deployment stays as it was. Completes when the new pods
   * serve (pods removed drain in the background).
   */
  public synchronized Future<Void> scale(int target) {
    List<Pod> live = live();
    int toStart = target - live.size();
    if (toStart > freeAddresses()) {
      String why = "cannot scale " + DEPLOYMENT + " to " + target + " replicas: " + toStart + " new pods need "
          + toStart + " pod addresses and only " + freeAddresses() + " of the " + POD_ADDRESSES + " (" + addressRange()
          + ") are free (held: " + holders() + "); the Deployment stays at " + desired + " replicas. Scale to at most "
          + Math.min(live.size() + freeAddresses(), LocalConfig.MAX_REPLICAS)
          + " now, or again once the terminating pods are gone";
      LOG.warning(why);
      return Future.failedFuture(new Conflict(why));
    }
    desired = target;
    waitingForAddress = 0; // the new count is whole: nothing is owed beyond it
    List<Future<?>> changes = new ArrayList<>();
    for (int i = 0; i < toStart; i++) {
      changes.add(startPod());
    }
    for (Pod pod : scaleDownOrder(live).subList(0, Math.max(0, live.size() - target))) {
      changes.add(terminate(pod, pod.template().preStopMs(), pod.template().gracePeriodSeconds(), "scaled away ("
          + DEPLOYMENT + " scaled to " + target + " replicas)"));
    }
    return Future.join(changes).mapEmpty();
  }

  /** {@link #deletePod(String, long)} with the grace period of the pod's template. */
  public Future<Replacement> deletePod(String name) {
    return deletePod(name, -1);
  }

  /**
   * Like {@code kubectl delete pod --grace-period=N}: the pod turns terminating, pauses for its preStop hook and
   * drains, all within the grace period ({@code graceSeconds}; negative: its template's; 0: it is killed at once),
   * and the Deployment starts a replacement with a new IP at once. Completes when the replacement serves, or at once
   * saying why there is none yet (no free pod address: it starts when one frees up); fails with a {@link Conflict}
   * when the pod is gone or already terminating.
   */
  public synchronized Future<Replacement> deletePod(String name, long graceSeconds) {
    Pod pod = pods.get(name);
    if (pod == null) {
      return Future.failedFuture(new Conflict("pod " + name + " is gone"));
    }
    if (pod.phase() == Pod.Phase.TERMINATING) {
      return Future.failedFuture(new Conflict("pod " + name + " is already terminating (" + pod.removedBecause() + ")"));
    }
    boolean replaced = pod.phase() == Pod.Phase.NODE_LOST;
    terminate(pod, pod.template().preStopMs(), graceSeconds < 0 ? pod.template().gracePeriodSeconds() : graceSeconds,
        "deleted");
    return replaced ? Future.succeededFuture(Replacement.none("the Deployment replaced it when its node was marked lost"))
        : replace(pod);
  }

  /**
   * Like {@code kill -9} of the pod's process: its server stops at once, failing the calls in flight, but its
   * endpoint stays listed as ready for {@code noticedMs}, until the kubelet notices; then the pod is gone and the
   * Deployment starts a replacement. Completes when the replacement serves.
   */
  public synchronized Future<Replacement> crash(String name, long noticedMs) {
    Pod pod = pods.get(name);
    if (pod == null) {
      return Future.failedFuture(new Conflict("pod " + name + " is gone"));
    }
    if (pod.phase() != Pod.Phase.READY) {
      return Future.failedFuture(new Conflict("pod " + name + " is " + pod.phase().name().toLowerCase(Locale.ROOT)
          + ", not serving"));
    }
    pod.phase(Pod.Phase.CRASHED);
    pod.frozenSince(null); // a frozen process dies of SIGKILL as any other
    LOG.info(() -> "pod " + name + " (" + pod.ip() + ") killed: its endpoint stays ready for " + noticedMs + " ms");
    pod.server().kill();
    Promise<Replacement> replaced = Promise.promise();
    // a Vert.x timer needs 1 ms at least
    vertx.setTimer(Math.max(1, noticedMs), id -> noticeCrash(pod).onComplete(replaced));
    return replaced.future();
  }

  /**
   * The kubelet notices: the pod is gone and the Deployment replaces it. A crashed pod deleted or scaled away
   * before that is already terminating: whatever removed it settled the count, so the crash replaces nothing.
   */
  private synchronized Future<Replacement> noticeCrash(Pod pod) {
    if (pod.phase() != Pod.Phase.CRASHED) {
      String why = "before the kubelet noticed the crash the pod was " + pod.removedBecause()
          + ", so the crash started no replacement of its own" + ("deleted".equals(pod.removedBecause())
          ? " (the deletion started one)" : "");
      LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") crash noticed: " + why);
      return Future.succeededFuture(Replacement.none(why));
    }
    pods.remove(pod.name());
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") crashed: endpoint removed, starting a replacement");
    changed();
    return replace(pod);
  }

  /**
   * Freezes a running pod, as a node that goes silent or a process stuck in a GC pause does: it reads and writes
   * nothing on any connection and accepts none, its sockets open, while its endpoint stays ready for
   * {@code noticedMs}; then the node controller marks it not ready and the Deployment replaces it. Completes once the
   * pod is silent; fails with a {@link Conflict} when it is gone, frozen already or not running.
   */
  public synchronized Future<Pod> freeze(String name, long noticedMs) {
    Pod pod = pods.get(name);
    if (pod == null) {
      return Future.failedFuture(new Conflict("pod " + name + " is gone"));
    }
    if (pod.frozenSince().isPresent()) {
      return Future.failedFuture(new Conflict("pod " + name + " is frozen already (since " + pod.frozenSince().get() + ")"));
    }
    if (pod.phase() != Pod.Phase.READY) {
      return Future.failedFuture(new Conflict("pod " + name + " is " + phaseName(pod) + ", not running"));
    }
    Instant since = Instant.now();
    pod.frozenSince(since);
    LOG.info(() -> "pod " + name + " (" + pod.ip() + ") frozen: silent on every connection, its endpoint stays ready for "
        + noticedMs + " ms");
    vertx.setTimer(Math.max(1, noticedMs), id -> noticeFreeze(pod, since, noticedMs));
    changed();
    return pod.server().freeze().map(pod);
  }

  /**
   * The node controller notices the silence: the pod's endpoint turns not ready and the Deployment replaces it. Does
   * nothing when the pod was unfrozen (or froze again since), deleted or killed meanwhile.
   */
  private synchronized void noticeFreeze(Pod pod, Instant since, long noticedMs) {
    if (!pod.frozenSince().equals(Optional.of(since)) || pod.phase() != Pod.Phase.READY) {
      return;
    }
    pod.phase(Pod.Phase.NODE_LOST);
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") silent for " + noticedMs + " ms: its node is marked lost, "
        + "the endpoint not ready; starting a replacement");
    changed();
    replace(pod);
  }

  /**
   * Resumes a frozen pod, as a GC pause that ends: it reads and writes again and the replies it held go out, late. A
   * pod already given up for lost comes back ready, and the Deployment, one pod over its count, removes its newest.
   * Fails with a {@link Conflict} when the pod is gone or not frozen.
   */
  public synchronized Future<Pod> unfreeze(String name) {
    Pod pod = pods.get(name);
    if (pod == null) {
      return Future.failedFuture(new Conflict("pod " + name + " is gone"));
    }
    if (pod.frozenSince().isEmpty()) {
      return Future.failedFuture(new Conflict("pod " + name + " is not frozen"));
    }
    boolean wasLost = pod.phase() == Pod.Phase.NODE_LOST;
    pod.frozenSince(null);
    if (wasLost) {
      pod.phase(Pod.Phase.READY);
    }
    LOG.info(() -> "pod " + name + " (" + pod.ip() + ") unfrozen" + (wasLost ? ": ready again" : ""));
    Future<Void> resumed = pod.server().unfreeze();
    changed();
    if (wasLost) {
      removeSurplus();
    }
    return resumed.map(pod);
  }

  /** Like a ReplicaSet over its count: the pods that went ready last go first. */
  private void removeSurplus() {
    List<Pod> live = live();
    for (Pod pod : scaleDownOrder(live).subList(0, Math.max(0, live.size() - desired))) {
      terminate(pod, pod.template().preStopMs(), pod.template().gracePeriodSeconds(),
          "surplus (a pod given up for lost came back)");
    }
  }

  private static String phaseName(Pod pod) {
    return pod.phase().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /**
   * The Deployment's replacement for {@code gone}: started at once when a pod address is free; otherwise owed,
   * said in the log, and started when a pod is gone ({@link #startWaiting}).
   */
  private Future<Replacement> replace(Pod gone) {
    if (freeAddresses() == 0) {
      waitingForAddress++;
      String why = "no replacement yet: every one of the " + POD_ADDRESSES + " pod addresses (" + addressRange()
          + ") is held (" + holders() + "); the Deployment starts it when a pod is gone and frees its address";
      LOG.warning(() -> "deployment " + DEPLOYMENT + ": " + live().size() + " of " + desired + " replicas, "
          + waitingForAddress + " waiting for a pod address (" + gone.name() + " " + gone.removedBecause() + "): " + why);
      return Future.succeededFuture(Replacement.none(why));
    }
    return startPod().map(Replacement::serving)
        .otherwise(err -> Replacement.none("the replacement failed to start: " + err.getMessage()));
  }

  /** A pod is gone and its address free: start the replacements that waited for one. */
  private synchronized void startWaiting() {
    while (waitingForAddress > 0 && freeAddresses() > 0) {
      waitingForAddress--;
      int stillWaiting = waitingForAddress;
      LOG.info(() -> "deployment " + DEPLOYMENT + ": a pod address freed up, starting a replacement that waited for one"
          + (stillWaiting > 0 ? " (" + stillWaiting + " still waiting)" : ""));
      startPod();
    }
  }

  private int freeAddresses() {
    return POD_ADDRESSES - pods.size();
  }

  /** Who holds the pod addresses, in words: "99 by terminating pods still draining their calls, 1 by live pods". */
  private String holders() {
    long terminating = pods.values().stream().filter(p -> p.phase() == Pod.Phase.TERMINATING).count();
    return terminating + " by terminating pods still draining their calls, " + (pods.size() - terminating) + " by live pods";
  }

  private static String addressRange() {
    return "127.0.0." + FIRST_IP + "-127.0.0." + LAST_IP;
  }

  /**
   * The zone with the fewest live pods, the first in --zones order on a tie: round robin on a scale-up, and a
   * replacement goes where its predecessor left a gap, as the scheduler's topology spread (maxSkew 1) would put it.
   */
  private String emptiestZone() {
    Map<String, Long> live = new HashMap<>();
    live().forEach(p -> live.merge(String.valueOf(p.zone()), 1L, Long::sum));
    return zones.names().stream().min(Comparator.comparingLong(z -> live.getOrDefault(z, 0L))).orElseThrow();
  }

  public LocalZones zones() {
    return zones;
  }

  /**
   * Moves one pod to another zone (one of {@link #zones()}), as if it ran on a node there: its endpoint's zone and
   * hint change, and calls from other zones pay the cross-zone delay from now on.
   */
  public void zone(Pod pod, String zone) {
    if (zone == null || !zones.names().contains(zone)) { // an immutable list's contains(null) throws
      throw new IllegalArgumentException(zones.on() ? "zone must be one of " + String.join(", ", zones.names())
          + (zone == null ? ", and is missing" : ", got '" + zone + "'")
          : "local mode runs no zones: start it with --zones a,b,c");
    }
    pod.zone(zone, zones.crossZoneMs());
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + "): now in zone " + zone);
    changed();
  }

  /** Makes one pod slow from now on. */
  public void delay(Pod pod, int ms) {
    pod.server().greeter().delayMs(ms);
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + "): reply delay now " + ms + " ms");
  }

  /** Makes one pod fail a share of its calls from now on (rate 0: none). */
  public void errors(Pod pod, ErrorInjection errors) {
    pod.server().greeter().errors(errors);
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + "): " + (errors.active()
        ? "failing " + errors.rate() + " of its calls with " + errors.status() : "no injected failures"));
  }

  /** Gives one pod a capacity and service time from now on; completes once it applies. */
  public Future<Void> capacity(Pod pod, Capacity limit) {
    return pod.server().capacity(limit)
        .onSuccess(v -> LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + "): " + limit.describe()));
  }

  /** The pods' MAX_CONNECTION_AGE, on every pod now and on every pod started later. */
  public synchronized void maxConnectionAge(MaxConnectionAge limit) {
    maxConnectionAge = limit;
    pods.values().forEach(pod -> pod.server().maxConnectionAge(limit));
  }

  public MaxConnectionAge maxConnectionAge() {
    return maxConnectionAge;
  }

  /** Every pod drains: its calls in flight may finish (for up to 5 s), then it closes. */
  public Future<Void> drain() {
    return Future.join(pods.values().stream().map(pod -> pod.server().drain(5_000)).toList()).mapEmpty();
  }

  /**
   * Which pods a scale-down takes first, as a ReplicaSet ranks them: those not ready before the ready ones, then the
   * newest (by when they went ready) before the oldest.
   */
  private static List<Pod> scaleDownOrder(List<Pod> live) {
    List<Pod> order = new ArrayList<>(live);
    order.sort(Comparator.comparing((Pod p) -> p.phase() == Pod.Phase.READY)
        .thenComparing(p -> p.started().orElse(Instant.MAX), Comparator.reverseOrder()));
    return order;
  }

  private List<Pod> live() {
    return pods.values().stream().filter(Pod::live).toList();
  }

  /**
   * A new pod of the current template: its name and IP are new, it is STARTING until it serves. Fails with a
   * {@link Conflict} when no pod address is free.
   */
  synchronized Future<Pod> startPod() {
    String ip = nextIp();
    if (ip == null) {
      return Future.failedFuture(new Conflict("no free pod address: all " + POD_ADDRESSES + " (" + addressRange()
          + ") are held (" + holders() + ")"));
    }
    PodTemplate from = template;
    String name = DEPLOYMENT + "-" + from.hash() + "-" + randomSuffix();
    GreeterServer server = new GreeterServer(vertx,
        ServerConfig.forPod(ip, port, from.delayMs()).withCapacity(from.capacity()).withWarmUp(from.warmUp())
            .withMaxConnectionAge(maxConnectionAge).withPings(pings));
    Pod pod = new Pod(name, from, ip, server);
    if (zones.on()) {
      pod.zone(emptiestZone(), zones.crossZoneMs());
    }
    pods.put(name, pod);
    changed();
    return onItsOwnEventLoop(server)
        .recover(err -> ListenException.naming("--port", ip, port, err instanceof ListenException ? err.getCause() : err))
        .map(s -> {
          pod.phase(Pod.Phase.READY);
          LOG.info(() -> "pod " + name + " ready on " + ip + ":" + s.port());
          changed();
          return pod;
        }).onFailure(err -> {
          pods.remove(name);
          LOG.warning(() -> "pod " + name + " failed to start: " + err.getMessage());
          changed();
        });
  }

  /**
   * Starts the pod's server from an event-loop context of its own, which then serves its connections, as a pod runs
   * in a process of its own: started from the caller's context (the control plane's, for kubectl scale), it would
   * serve its calls on that event loop, and its traffic would hold up the API.
   */
  private Future<GreeterServer> onItsOwnEventLoop(GreeterServer server) {
    Promise<GreeterServer> started = Promise.promise();
    ((VertxInternal) vertx).createEventLoopContext().runOnContext(v -> server.start().onComplete(started));
    return started.future();
  }

  /**
   * A new pod template (its values, a new hash), as a rollout starts from: pods started from now on run it, and
   * the Deployment wants {@code replicas} of them. The rollout counts the pods itself from now on, so no replacement
   * waits for an address any more.
   */
  synchronized void newTemplate(PodTemplate values, int replicas) {
    template = values.withRun(values.delayMs(), template.capacity(), template.warmUp()).withHash(randomSuffix());
    desired = replicas;
    waitingForAddress = 0;
  }

  /**
   * A rollout's step: the old pod goes after the rollout's preStop pause ({@link RollingUpdate#OWN_PRE_STOP}: its
   * template's), within its template's grace period.
   */
  synchronized Future<Void> terminate(Pod pod, long preStopMs) {
    return terminate(pod, preStopMs == RollingUpdate.OWN_PRE_STOP ? pod.template().preStopMs() : preStopMs,
        pod.template().gracePeriodSeconds(), "replaced by a rollout");
  }

  /**
   * The pod's endpoint turns terminating at once; the pod keeps serving through its preStop pause (while clients
   * and kube-proxy see it leave), then drains for what is left of its grace period, as SIGTERM and the kubelet's
   * SIGKILL bound it; a grace period of 0 kills it at once (its calls in flight fail). Completes when it is gone; its
   * address then serves a replacement that waited for one, if any.
   */
  private synchronized Future<Void> terminate(Pod pod, long preStopMs, long graceSeconds, String because) {
    long graceMs = graceSeconds * 1000;
    long pauseMs = Math.min(preStopMs, graceMs);
    pod.phase(Pod.Phase.TERMINATING);
    pod.removedBecause(because);
    pod.terminationGraceSeconds(graceSeconds);
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") " + because + ", terminating: " + (graceMs == 0
        ? "killed at once (grace period 0)" : (pauseMs > 0 ? "preStop pause of " + pauseMs + " ms, then " : "")
        + "draining for up to " + (graceMs - pauseMs) + " ms (grace period " + graceSeconds + " s)"));
    changed();
    Promise<Void> paused = Promise.promise();
    if (pauseMs > 0) {
      vertx.setTimer(pauseMs, id -> paused.complete());
    } else {
      paused.complete();
    }
    return paused.future().compose(v -> graceMs == 0 ? pod.server().kill() : pod.server().drain(graceMs - pauseMs))
        .onComplete(ar -> gone(pod));
  }

  private synchronized void gone(Pod pod) {
    pods.remove(pod.name());
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") gone");
    changed();
    startWaiting();
  }

  /** The next free pod IP in turn, or null when every one is held. */
  private synchronized String nextIp() {
    for (int tries = 0; tries < POD_ADDRESSES; tries++) {
      String ip = "127.0.0." + nextIp;
      nextIp = nextIp == LAST_IP ? FIRST_IP : nextIp + 1;
      if (pods.values().stream().noneMatch(p -> p.ip().equals(ip))) {
        return ip;
      }
    }
    return null;
  }

  private static String randomSuffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(NAME_CHARS.charAt(ThreadLocalRandom.current().nextInt(NAME_CHARS.length())));
    }
    return suffix.toString();
  }

  private synchronized void changed() { // one snapshot at a time, so the newest membership is written last
    Collection<Pod> all = List.copyOf(pods.values());
    listeners.forEach(l -> l.accept(all));
  }
}
