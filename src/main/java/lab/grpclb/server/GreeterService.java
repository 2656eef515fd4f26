package lab.grpclb.server;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcService;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * SayHello: answers "Hello name" with this pod's IP after the configured delay. The delay is a Vert.x timer,
 * so no thread ever waits; thousands of calls share the event loop.
 */
public final class GreeterService extends GreeterGrpcService {
  private final Vertx vertx;
  private final String podIp;
  private volatile int delayMs;
  private final LongAdder served = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();

  public GreeterService(Vertx vertx, String podIp, int delayMs) {
    this.vertx = vertx;
    this.podIp = podIp;
    this.delayMs = delayMs;
  }

  private volatile boolean draining;

  @Override
  protected void sayHello(HelloRequest request, Completable<HelloReply> response) {
    if (draining) {
      // The pod is going away: send the caller elsewhere at once rather than start work it may not finish.
      response.fail(new StatusException(GrpcStatus.UNAVAILABLE, "pod " + podIp + " is draining"));
      return;
    }
    inFlight.incrementAndGet();
    HelloReply reply = HelloReply.newBuilder().setMessage("Hello " + request.getName()).setIpAddress(podIp).build();
    int delay = delayMs;
    if (delay == 0) {
      finish(response, reply);
    } else {
      vertx.setTimer(delay, id -> finish(response, reply));
    }
  }

  private void finish(Completable<HelloReply> response, HelloReply reply) {
    inFlight.decrementAndGet();
    served.increment();
    response.succeed(reply);
  }

  /** From now on new calls are refused with UNAVAILABLE; calls already accepted still get their reply. */
  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  public String podIp() {
    return podIp;
  }

  public int delayMs() {
    return delayMs;
  }

  /** Makes this pod slow (or fast) from now on; calls already waiting keep their delay. */
  public void delayMs(int delayMs) {
    this.delayMs = delayMs;
  }

  public long callsServed() {
    return served.sum();
  }

  public long callsInFlight() {
    return inFlight.get();
  }
}
