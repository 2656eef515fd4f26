package lab.grpclb.server;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcService;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.call.CallOptions;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.WarmUp;
import lab.grpclb.config.Work;

/**
 * SayHello: answers "Hello name" with this pod's IP after the configured delay. The delay is a Vert.x timer,
 * so no thread ever waits; thousands of calls share the event loop.
 *
 * <p>A call can end before its reply: the client cancels it (RST_STREAM), its deadline (grpc-timeout) passes,
 * or its connection goes. Then its timer is cancelled, no reply is written and nothing is logged; the call is
 * only counted. Mass cancellation is normal traffic in this lab: a cancelled call must cost nothing more.
 *
 * <p>A pod can be told to fail a share of its calls ({@link ErrorInjection}): such a call answers its status at
 * once, without the delay, as a pod refusing work does.
 *
 * <p>A pod with a finite {@link Capacity}, a service time other than fixed, or a warm-up sends its calls through a
 * {@link ServiceQueue}; from then on it keeps it, reconfigured, even if set back to unlimited. Without one, a call
 * is the one timer above and nothing more: the default path costs what it always did. With {@code --work cpu} the
 * queue's calls burn their service time on a pool of the capacity's size ({@link CpuWork}), closed with the pod.
 */
public final class GreeterService extends GreeterGrpcService {
  private final Vertx vertx;
  private final String podIp;
  private volatile int delayMs;
  private volatile ErrorInjection errors;
  private final LongAdder served = new LongAdder();
  private final LongAdder failedOnPurpose = new LongAdder();
  private final LongAdder endedEarly = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private final ServiceClock clock;
  private final ServiceWork timers;
  /** The pool {@code --work cpu} burns on, made by the first capacity that asks; written on the pod's event loop. */
  private volatile CpuWork cpu;
  private final WarmUp warmUp;
  private final long startedNanos;
  private volatile Capacity capacity;
  /** Null while every call takes the plain timer (unlimited, fixed, warm); touched on the pod's event loop. */
  private volatile ServiceQueue queue;
  private final LoadWindow window;
  /** Local mode's zones: the delay a call from another zone pays (see {@link ZoneLatency}). */
  private volatile ZoneLatency zoneLatency = ZoneLatency.NONE;
  /** Every answer carries the pod's load in its trailers (ORCA, gRFC A51), as a gRPC server that reports it does. */
  private final OrcaReports orca = new OrcaReports(this::load);

  public GreeterService(Vertx vertx, String podIp, int delayMs, ErrorInjection errors) {
    this(vertx, podIp, delayMs, errors, Capacity.UNLIMITED, WarmUp.OFF);
  }

  /** A pod that starts cold as {@code warmUp} says, from now on. */
  public GreeterService(Vertx vertx, String podIp, int delayMs, ErrorInjection errors, Capacity capacity, WarmUp warmUp) {
    this.vertx = vertx;
    this.podIp = podIp;
    this.delayMs = delayMs;
    this.errors = errors;
    this.clock = ServiceClock.of(vertx);
    this.timers = ServiceWork.timers(clock);
    this.warmUp = warmUp;
    this.startedNanos = clock.nanoTime();
    this.window = new LoadWindow(startedNanos);
    this.capacity = capacity;
    if (!capacity.plain() || warmUp.on()) {
      queue = newQueue(capacity);
    }
  }

  private ServiceQueue newQueue(Capacity limit) {
    return new ServiceQueue(limit, warmUp, () -> delayMs, clock, workFor(limit), new SplittableRandom(), startedNanos);
  }

  /** How calls under {@code limit} spend their service time: timers, or the CPU pool sized to its capacity. */
  private ServiceWork workFor(Capacity limit) {
    if (limit.work() == Work.TIMER) {
      return timers;
    }
    CpuWork pool = cpu;
    if (pool == null) {
      cpu = pool = new CpuWork(podIp, limit.calls());
    } else {
      pool.resize(limit.calls());
    }
    return pool;
  }

  /** The pod stopped: its CPU pool, if it has one, stops burning. */
  void close() {
    CpuWork pool = cpu;
    if (pool != null) {
      pool.close();
    }
  }

  /** Binds SayHello to a handler that sees the call itself (its resets and deadline), not just the message. */
  @Override
  public void bind(GrpcServer server) {
    server.callHandler(SayHello, this::call);
  }

  private void call(GrpcServerRequest<HelloRequest, HelloReply> call) {
    PendingReply pending = new PendingReply(call);
    call.errorHandler(error -> pending.endEarly());     // the client reset the stream (cancelled, deadline)
    call.exceptionHandler(error -> pending.endEarly()); // the connection went
    call.response().exceptionHandler(error -> pending.endEarly());
    ZoneLatency zones = zoneLatency; // a pod in no zone (every pod but local mode's with --zones) reads no header
    long crossZoneMs = zones.zone() == null ? 0 : zones.extraMs(call.headers().get(CallOptions.CLIENT_ZONE_HEADER));
    // a call ended meanwhile is done, so its late start does nothing
    call.handler(crossZoneMs == 0 ? pending::start : request -> vertx.setTimer(crossZoneMs, id -> pending.start(request)));
  }

  /** One call between its request and its reply; touched only on the call's event loop. */
  private final class PendingReply implements ServiceQueue.Job {
    private final GrpcServerRequest<HelloRequest, HelloReply> call;
    private long timer = -1;
    private boolean started;
    private boolean done;
    /** With a queue: the reply it will send, its deadline, and its place in the queue. */
    private HelloReply queuedReply;
    private long deadlineNanos;
    private ServiceQueue.Ticket ticket;

    PendingReply(GrpcServerRequest<HelloRequest, HelloReply> call) {
      this.call = call;
    }

    void start(HelloRequest request) {
      if (done || started) {
        return;
      }
      started = true;
      inFlight.incrementAndGet();
      ErrorInjection injected = errors;
      if (injected.active() && ThreadLocalRandom.current().nextDouble() < injected.rate()) {
        failOnPurpose(injected);
        return;
      }
      HelloReply reply = HelloReply.newBuilder().setMessage("Hello " + request.getName()).setIpAddress(podIp).build();
      long deadline = call.timeout(); // ms from grpc-timeout; 0 when the client set none
      ServiceQueue model = queue;
      if (model != null) {
        queue(model, reply, deadline);
        return;
      }
      int delay = delayMs;
      if (deadline > 0 && deadline <= delay) {
        timer = vertx.setTimer(deadline, id -> pastDeadline()); // the reply would come too late for anyone
      } else if (delay == 0) {
        reply(reply);
      } else {
        timer = vertx.setTimer(delay, id -> reply(reply));
      }
    }

    private void queue(ServiceQueue model, HelloReply answer, long deadlineMs) {
      queuedReply = answer;
      deadlineNanos = deadlineMs > 0 ? clock.nanoTime() + deadlineMs * 1_000_000 : Long.MAX_VALUE;
      ticket = model.admit(this);
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    @Override
    public void serve() {
      reply(queuedReply);
    }

    @Override
    public void expire() {
      pastDeadline();
    }

    @Override
    public void refuse(String reason) {
      if (finish()) {
        loadTrailer().status(GrpcStatus.RESOURCE_EXHAUSTED).statusMessage(reason).end();
      }
    }

    private void reply(HelloReply reply) {
      if (finish()) {
        served.increment();
        loadTrailer().end(reply);
      }
    }

    private void failOnPurpose(ErrorInjection injected) {
      if (finish()) {
        failedOnPurpose.increment();
        loadTrailer().status(injected.status()).statusMessage(ErrorInjection.REASON).end();
      }
    }

    private GrpcServerResponse<HelloRequest, HelloReply> loadTrailer() {
      GrpcServerResponse<HelloRequest, HelloReply> response = call.response();
      response.trailers().set(OrcaReports.TRAILER, orca.trailer());
      return response;
    }

    /** Past its deadline: the client has given up. Reset the stream (CANCEL) so that both sides free it. */
    private void pastDeadline() {
      if (finish()) {
        endedEarly.increment();
        call.response().cancel();
      }
    }

    void endEarly() {
      if (done) {
        return;
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      if (ticket != null) {
        ticket.cancel();
      }
      endedEarly.increment();
      if (started) {
        finish();
      } else {
        done = true;
      }
    }

    private boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      timer = -1;
      inFlight.decrementAndGet();
      return true;
    }
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

  public Capacity capacity() {
    return capacity;
  }

  /**
   * Gives this pod a capacity and service time from now on (see {@link ServiceQueue#reconfigure}); call it on the
   * pod's event loop ({@link GreeterServer#capacity} does).
   */
  void capacity(Capacity limit) {
    capacity = limit;
    ServiceQueue model = queue;
    if (model != null) {
      model.reconfigure(limit, workFor(limit));
    } else if (!limit.plain()) {
      queue = newQueue(limit);
    }
  }

  /** One second more of the load window; on the pod's event loop ({@link GreeterServer} ticks it). */
  void tickLoad() {
    ServiceQueue model = queue;
    long refused = model == null ? 0 : model.refused();
    long failed = failedOnPurpose.sum() + refused;
    window.tick(clock.nanoTime(), served.sum() + failed, failed, model);
  }

  /** The pod's load now and over its recent window; cheap enough to read for every call (any thread). */
  /** The pod's load as ORCA reports it. */
  OrcaReports orca() {
    return orca;
  }

  public ServerLoad load() {
    LoadWindow.Rates rates = window.rates();
    ServiceQueue model = queue;
    if (model == null) {
      return new ServerLoad((int) inFlight.get(), 0, 0, 0, 0, 0, 0, rates.rps(), rates.eps());
    }
    int slots = model.capacity().calls();
    int busy = model.inService();
    return new ServerLoad(busy, slots, model.queueLength(), rates.queueWaitP99Ms(),
        slots == 0 ? 0 : Math.min(1, (double) busy / slots), rates.meanUtilization(), model.refused(), rates.rps(),
        rates.eps());
  }

  /** The queue calls go through, or null while they take the plain timer. */
  ServiceQueue queue() {
    return queue;
  }

  public ZoneLatency zoneLatency() {
    return zoneLatency;
  }

  /** Puts this pod in a zone, calls from other zones paying the delay from their next one on. */
  public void zoneLatency(ZoneLatency latency) {
    this.zoneLatency = latency;
  }

  public ErrorInjection errors() {
    return errors;
  }

  /** Makes this pod fail a share of its calls from now on (rate 0: none). */
  public void errors(ErrorInjection errors) {
    this.errors = errors;
  }

  /** Calls answered with an injected failure. */
  public long callsFailedOnPurpose() {
    return failedOnPurpose.sum();
  }

  public long callsServed() {
    return served.sum();
  }

  public long callsInFlight() {
    return inFlight.get();
  }

  /** Calls that ended before their reply: cancelled by the client, past their deadline, or the client gone. */
  public long callsEndedEarly() {
    return endedEarly.sum();
  }
}
