package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/** How an experiment reaches the greeter: one of the client types the experiment compares. */
public interface GreeterChannel {

  /**
   * One SayHello call; fails with {@link CallFailure} naming the gRPC status and the reason, or with the
   * cancellation's reason once {@code cancellation} is cancelled.
   */
  Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation);

  /** One SayHello call that nothing cancels. */
  default Future<HelloReply> sayHello(HelloRequest request) {
    return sayHello(request, Cancellation.NEVER);
  }

  /**
   * This channel, with each call's endpoint picked by {@code policy} (the {@code lb=} of a request). A channel
   * that does not balance (one target) ignores it and returns itself. The view shares everything with this
   * channel (endpoints, connections, counters); closing it closes nothing.
   */
  default GreeterChannel withLb(LbPolicy policy) {
    return this;
  }

  /**
   * This channel with its fleet policy (subsetting, zone-aware routing) changed by {@code change}, for a request's
   * {@code subset_size=} and {@code zone_aware=}. A channel that does not balance returns itself.
   */
  default GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    return this;
  }

  /**
   * This channel, hedging each call {@code delayMs} apart (gRFC A6; 0: no hedging), the {@code hedging_delay_ms=} of
   * a request. A channel that does not balance returns itself; the view shares everything, as {@link #withLb} does.
   */
  default GreeterChannel withHedgingDelay(int delayMs) {
    return this;
  }

  /** Whatever must happen before timing starts (for example the shared connection's handshake). */
  default Future<Void> warmUp() {
    return Future.succeededFuture();
  }

  /** Why this channel can't run experiments right now (say, no Kubernetes API), or null when it can. */
  default String unavailableReason() {
    return null;
  }

  /** How many connections may be open at once, when the channel opens one per call; null otherwise. */
  default Integer maxOpenConnections() {
    return null;
  }

  /** The server addresses this channel sends calls to right now. */
  List<String> endpoints();

  /** Calls sent again (to another endpoint) since the channel was created, by kind of retry. */
  default Retries retries() {
    return Retries.NONE;
  }

  /** Hedges, throttled retries and attempts per call since the channel was created; none if it does not balance. */
  default Attempts attempts() {
    return Attempts.NONE;
  }

  /**
   * Attempts sent per pod IP since the channel was created, retries and hedges included, for a channel that picks
   * endpoints itself; empty for the others (a call there is one attempt, at the address it dialed).
   */
  default Map<String, Long> attemptsPerIp() {
    return Map.of();
  }

  /** The one event loop calls are best started from (a single connection's), or null when any will do. */
  default Context preferredContext() {
    return null;
  }

  /** Connections this channel has opened since it was created. */
  long connectionsOpened();

  /** Connections open right now. */
  int connectionsOpen();

  Future<Void> close();
}
