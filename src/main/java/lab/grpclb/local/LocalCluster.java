package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Logger;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.MaxConnectionAge;
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
  private static final String FIRST_TEMPLATE_HASH = "7d9f8";
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  /** Pod IPs 127.0.0.2 to 127.0.0.199 in turn; the service and control plane live above them. */
  private static final int FIRST_IP = 2;
  private static final int LAST_IP = 199;
  /**
   * How long a crashed pod's endpoint stays ready: until the kubelet notices its process is gone. A node that
   * goes silent keeps its pods listed far longer (--node-monitor-grace-period, 40 s, 50 s in recent releases),
   * hence the maximum.
   */
  public static final int DEFAULT_CRASH_NOTICED_MS = 1_000;
  public static final int MAX_CRASH_NOTICED_MS = 60_000;

  private final Vertx vertx;
  private final int port;
  private volatile int delayMs;
  private volatile MaxConnectionAge maxConnectionAge = MaxConnectionAge.OFF;
  private final Map<String, Pod> pods = new ConcurrentSkipListMap<>();
  private final List<Consumer<Collection<Pod>>> listeners = new CopyOnWriteArrayList<>();
  private int nextIp = FIRST_IP;
  private String templateHash = FIRST_TEMPLATE_HASH;

  public LocalCluster(Vertx vertx, int port, int delayMs) {
    this.vertx = vertx;
    this.port = port;
    this.delayMs = delayMs;
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

  /** Like {@code kubectl scale --replicas}: starts or drains pods until that many are live. */
  public synchronized Future<Void> scale(int target) {
    List<Future<?>> changes = new ArrayList<>();
    List<Pod> live = live();
    for (int i = live.size(); i < target; i++) {
      changes.add(startPod());
    }
    for (int i = target; i < live.size(); i++) {
      changes.add(terminate(live.get(live.size() - 1 - (i - target))));
    }
    return Future.join(changes).mapEmpty();
  }

  /**
   * Like {@code kubectl delete pod}: the pod turns terminating and drains, and the Deployment starts a
   * replacement with a new IP at once. Completes when the replacement serves.
   */
  public synchronized Future<Pod> deletePod(String name) {
    Pod pod = pods.get(name);
    if (pod == null || pod.phase() == Pod.Phase.TERMINATING) {
      return Future.failedFuture("no live pod named " + name);
    }
    terminate(pod);
    return startPod();
  }

  /**
   * Like {@code kill -9} of the pod's process: its server stops at once, failing the calls in flight, but its
   * endpoint stays listed as ready for {@code noticedMs}, until the kubelet notices; then the pod is gone and the
   * Deployment starts a replacement. Completes when the replacement serves.
   */
  public synchronized Future<Pod> crash(String name, long noticedMs) {
    Pod pod = pods.get(name);
    if (pod == null || pod.phase() != Pod.Phase.READY) {
      return Future.failedFuture("no serving pod named " + name);
    }
    pod.phase(Pod.Phase.CRASHED);
    LOG.info(() -> "pod " + name + " (" + pod.ip() + ") killed: its endpoint stays ready for " + noticedMs + " ms");
    pod.server().kill();
    Promise<Pod> replaced = Promise.promise();
    // a Vert.x timer needs 1 ms at least
    vertx.setTimer(Math.max(1, noticedMs), id -> noticeCrash(pod).onComplete(replaced));
    return replaced.future();
  }

  private synchronized Future<Pod> noticeCrash(Pod pod) {
    if (pod.phase() != Pod.Phase.CRASHED) { // scaled away meanwhile: nothing to replace
      return Future.failedFuture("pod " + pod.name() + " was removed before its crash was noticed");
    }
    pods.remove(pod.name());
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") crashed: endpoint removed, starting a replacement");
    changed();
    return startPod();
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

  /** The pods' MAX_CONNECTION_AGE, on every pod now and on every pod started later. */
  public synchronized void maxConnectionAge(MaxConnectionAge limit) {
    maxConnectionAge = limit;
    pods.values().forEach(pod -> pod.server().maxConnectionAge(limit));
  }

  public MaxConnectionAge maxConnectionAge() {
    return maxConnectionAge;
  }

  public Future<Void> stop() {
    return Future.join(pods.values().stream().map(pod -> pod.server().drain(5_000)).toList()).mapEmpty();
  }

  private List<Pod> live() {
    return pods.values().stream().filter(p -> p.phase() != Pod.Phase.TERMINATING).toList();
  }

  /** A new pod of the current template: its name and IP are new, it is STARTING until it serves. */
  synchronized Future<Pod> startPod() {
    String ip = nextIp();
    String name = DEPLOYMENT + "-" + templateHash + "-" + randomSuffix();
    GreeterServer server = new GreeterServer(vertx, ServerConfig.forPod(ip, port, delayMs, maxConnectionAge));
    Pod pod = new Pod(name, templateHash, ip, server);
    pods.put(name, pod);
    changed();
    return server.start()
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

  /** A new pod template, as {@code kubectl rollout restart} makes one: pods started from now on carry its hash. */
  synchronized void newTemplate() {
    templateHash = randomSuffix();
  }

  private Future<Void> terminate(Pod pod) {
    return terminate(pod, 0);
  }

  /**
   * The pod's endpoint turns terminating at once; the pod keeps serving through its preStop pause (while clients
   * and kube-proxy see it leave), then drains. Completes when it is gone.
   */
  synchronized Future<Void> terminate(Pod pod, long preStopMs) {
    pod.phase(Pod.Phase.TERMINATING);
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") terminating: "
        + (preStopMs > 0 ? "preStop pause of " + preStopMs + " ms, then draining" : "draining"));
    changed();
    Promise<Void> paused = Promise.promise();
    if (preStopMs > 0) {
      vertx.setTimer(preStopMs, id -> paused.complete());
    } else {
      paused.complete();
    }
    return paused.future().compose(v -> pod.server().drain()).onComplete(ar -> {
      pods.remove(pod.name());
      LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") gone");
      changed();
    });
  }

  private synchronized String nextIp() {
    for (int tries = 0; tries <= LAST_IP - FIRST_IP; tries++) {
      String ip = "127.0.0." + nextIp;
      nextIp = nextIp == LAST_IP ? FIRST_IP : nextIp + 1;
      if (pods.values().stream().noneMatch(p -> p.ip().equals(ip))) {
        return ip;
      }
    }
    throw new IllegalStateException("no free pod IP left in 127.0.0." + FIRST_IP + "-" + LAST_IP);
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
