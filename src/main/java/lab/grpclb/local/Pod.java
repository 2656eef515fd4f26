package lab.grpclb.local;

import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.Optional;
import lab.grpclb.server.GreeterServer;
import lab.grpclb.server.ZoneLatency;

/** One greeter replica of the local cluster, with the state an endpoint controller would publish for it. */
public final class Pod {
  /**
   * CRASHED: the process is gone, but the kubelet has not noticed yet, so the endpoint still reads ready. NODE_LOST:
   * frozen past the node-monitor grace period, so the node controller marked it not ready and the Deployment replaced
   * it; it still holds its address and its silent sockets until it is unfrozen or deleted.
   */
  public enum Phase { STARTING, READY, TERMINATING, CRASHED, NODE_LOST }

  private final String name;
  private final PodTemplate template;
  private final String ip;
  private final GreeterServer server;
  private volatile Phase phase = Phase.STARTING;
  private volatile Instant started;
  private volatile Instant terminating;
  private volatile String removedBecause;
  private volatile long terminationGraceSeconds;
  private volatile Instant frozenSince;
  /** Its node's zone (topology.kubernetes.io/zone); null when local mode runs no zones. */
  private volatile String zone;

  Pod(String name, PodTemplate template, String ip, GreeterServer server) {
    this.name = name;
    this.template = template;
    this.ip = ip;
    this.server = server;
  }

  /** The zone it runs in, or null without zones. */
  public String zone() {
    return zone;
  }

  /** Moves it to {@code newZone}: its server adds the cross-zone delay to calls from other zones from now on. */
  void zone(String newZone, int crossZoneMs) {
    zone = newZone;
    server.greeter().zoneLatency(new ZoneLatency(newZone, crossZoneMs));
  }

  public String name() {
    return name;
  }

  /** The hash of the pod template it was started from (its {@code pod-template-hash} label). */
  public String templateHash() {
    return template.hash();
  }

  /** The template it was started from: how it ends when it is deleted. */
  PodTemplate template() {
    return template;
  }

  public String ip() {
    return ip;
  }

  public GreeterServer server() {
    return server;
  }

  public Phase phase() {
    return phase;
  }

  void phase(Phase phase) {
    if (phase == Phase.READY && started == null) {
      started = Instant.now();
    } else if (phase == Phase.TERMINATING && terminating == null) {
      terminating = Instant.now();
    }
    this.phase = phase;
  }

  /** When it first served. */
  public Optional<Instant> started() {
    return Optional.ofNullable(started);
  }

  /** When it turned terminating. */
  public Optional<Instant> terminating() {
    return Optional.ofNullable(terminating);
  }

  /** Why it turned terminating ("deleted", "scaled away (...)", ...); null while it is not. */
  public String removedBecause() {
    return removedBecause;
  }

  void removedBecause(String why) {
    removedBecause = why;
  }

  /** The grace period its termination was given (its template's, or the deletion's); 0 until it terminates. */
  public long terminationGraceSeconds() {
    return terminationGraceSeconds;
  }

  void terminationGraceSeconds(long seconds) {
    terminationGraceSeconds = seconds;
  }

  /** When it froze, while it is frozen (it reads and writes nothing, its sockets open). */
  public Optional<Instant> frozenSince() {
    return Optional.ofNullable(frozenSince);
  }

  void frozenSince(Instant since) {
    frozenSince = since;
  }

  /** Listed as ready: serving (frozen too, until noticed), or crashed and not yet noticed. */
  public boolean ready() {
    return phase == Phase.READY || phase == Phase.CRASHED;
  }

  /** Counted by the Deployment: neither terminating nor given up for lost (it was replaced). */
  public boolean live() {
    return phase != Phase.TERMINATING && phase != Phase.NODE_LOST;
  }

  public SocketAddress address() {
    return SocketAddress.inetSocketAddress(server.port(), ip);
  }
}
