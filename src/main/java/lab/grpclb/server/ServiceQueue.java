package lab.grpclb.server;

import java.util.ArrayDeque;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.WarmUp;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * A pod with a finite capacity: at most {@code c} calls in service at once, later ones waiting first in, first out,
 * and past the queue limit refused at once. Each call's service time is drawn from the {@link Capacity}'s shape
 * around the pod's delay, times its {@link WarmUp} slowdown while the pod is cold. Waits and deadlines are timed on
 * the {@link ServiceClock}; the service itself is spent by a {@link ServiceWork}: a timer (no thread waits), or with
 * {@code --work cpu} CPU burnt on a pool. One pod, Poisson arrivals and exponential service make it M/M/c.
 *
 * <p>Touched only on the pod's event loop (its calls, their timers and its reconfiguration all run there); the
 * gauges other threads read ({@link #inService}, {@link #queueLength}, {@link #refused}) are volatile and written
 * there only.
 *
 * <p>A call that ends early (cancelled, its client gone) leaves at once: in service, its slot goes to the next one
 * waiting, as a server that honours cancellation does; waiting, it is only marked, and skipped when its turn comes,
 * so that a storm of cancellations costs O(1) each. A call whose deadline comes while it waits is dropped when its
 * turn comes; one whose deadline would come before its reply is served until then.
 */
public final class ServiceQueue {
  /** Queue waits are recorded in microseconds, up to an hour, to 2 significant digits. */
  private static final long MAX_WAIT_MICROS = 3_600_000_000L;

  /** A call as the queue sees it. */
  public interface Job {
    /** When the client gives up, on the queue's clock; Long.MAX_VALUE for never. */
    long deadlineNanos();

    /** Its service time is over: reply. */
    void serve();

    /** Its deadline came before its reply could: the client has given up. */
    void expire();

    /** The queue is full: answer RESOURCE_EXHAUSTED with {@code reason}. */
    void refuse(String reason);
  }

  private final ServiceClock clock;
  /** How calls entering service from now on spend their time; each ticket keeps the one it started with. */
  private ServiceWork work;
  private final RandomGenerator random;
  private final IntSupplier meanMs;
  private final WarmUp warmUp;
  private final long startedNanos;
  private volatile Capacity capacity;
  /** Waiting calls in arrival order, ended ones among them until their turn comes. */
  private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
  private volatile int queueLength;
  private volatile int inService;
  private volatile long refused;
  private long callsStarted;
  private long waitedNanos;
  /** The integral of calls in service over time, up to {@link #busySince}: utilization over any interval. */
  private long busyNanos;
  private long busySince;
  /** Queue waits since the last {@link #takeWaits}. */
  private AbstractHistogram waits = newWaits();

  /**
   * {@code meanMs}: the pod's delay now ({@code --delay-ms}, changed by {@code /cluster/pods/NAME/delay}), read as
   * each call enters service; {@code startedNanos}: when the pod started, from which its warm-up counts.
   */
  public ServiceQueue(Capacity capacity, WarmUp warmUp, IntSupplier meanMs, ServiceClock clock, RandomGenerator random,
                      long startedNanos) {
    this(capacity, warmUp, meanMs, clock, ServiceWork.timers(clock), random, startedNanos);
  }

  /** A queue whose calls spend their service time as {@code work} says. */
  ServiceQueue(Capacity capacity, WarmUp warmUp, IntSupplier meanMs, ServiceClock clock, ServiceWork work,
               RandomGenerator random, long startedNanos) {
    this.capacity = capacity;
    this.warmUp = warmUp;
    this.meanMs = meanMs;
    this.clock = clock;
    this.work = work;
    this.random = random;
    this.startedNanos = startedNanos;
    this.busySince = clock.nanoTime();
  }

  /** One admitted call: waiting, then in service, until it ends; {@link #cancel} ends it early. */
  public final class Ticket implements ServiceWork.Ending {
    private final Job job;
    private final long arrivedNanos;
    /** The work serving it, and its id there. */
    private ServiceWork servedBy;
    private long service;
    private boolean serving;
    private boolean ended;

    private Ticket(Job job, long arrivedNanos) {
      this.job = job;
      this.arrivedNanos = arrivedNanos;
    }

    /** The call ended before its reply (cancelled, its client gone): it gives up its place or its slot. */
    public void cancel() {
      if (ended) {
        return;
      }
      ended = true;
      if (serving) {
        servedBy.stop(service);
        left(clock.nanoTime());
      } else if (--queueLength == 0) {
        waiting.clear(); // only ended calls are left: drop them now rather than when their turn comes
      }
    }

    @Override
    public void serviceEnded(boolean served) {
      end(this, served);
    }
  }

  /**
   * A call arrives: it enters service at once when a slot is free, else waits, else (the queue full) is refused at
   * once through {@link Job#refuse}, and null comes back.
   */
  public Ticket admit(Job job) {
    long now = clock.nanoTime();
    Ticket ticket = new Ticket(job, now);
    if (hasFreeSlot()) {
      start(ticket, now);
    } else if (queueLength >= capacity.queueLimit()) {
      refused++;
      job.refuse(refusal());
      return null;
    } else {
      waiting.add(ticket);
      queueLength++;
    }
    return ticket;
  }

  /**
   * From now on: calls waiting enter service at once if the new capacity has room for them. A smaller capacity or
   * queue limit takes nothing away: calls in service finish, calls waiting keep their place.
   */
  public void reconfigure(Capacity newCapacity) {
    reconfigure(newCapacity, work);
  }

  /** As {@link #reconfigure(Capacity)}; calls entering service from now on spend their time as {@code newWork} says. */
  void reconfigure(Capacity newCapacity, ServiceWork newWork) {
    capacity = newCapacity;
    work = newWork;
    startWaiting(clock.nanoTime());
  }

  private boolean hasFreeSlot() {
    return capacity.unlimited() || inService < capacity.calls();
  }

  /** Why a call was refused, naming the limit and the flags that set it. */
  private String refusal() {
    return "queue full: " + queueLength + " calls waiting for the " + inService + " in service (--queue-limit "
        + capacity.queueLimit() + ", --capacity " + capacity.calls() + ")";
  }

  private void start(Ticket ticket, long now) {
    ticket.serving = true;
    long waited = now - ticket.arrivedNanos;
    callsStarted++;
    waitedNanos += waited;
    waits.recordValue(Math.min(MAX_WAIT_MICROS, waited / 1_000));
    long untilDeadline = ticket.job.deadlineNanos() - now;
    if (untilDeadline <= 0) { // it waited past its deadline: nobody wants the reply any more
      ticket.ended = true;
      ticket.job.expire();
      return;
    }
    long service = serviceNanos(now);
    if (service == 0) { // a pod with no delay answers at once, as the plain greeter does
      ticket.ended = true;
      ticket.job.serve();
      return;
    }
    busy(now, +1);
    ticket.servedBy = work;
    ticket.service = work.serve(service, untilDeadline, ticket);
  }

  private void end(Ticket ticket, boolean served) {
    if (ticket.ended) {
      return;
    }
    ticket.ended = true;
    if (served) {
      ticket.job.serve();
    } else {
      ticket.job.expire();
    }
    left(clock.nanoTime());
  }

  /** A call left service: its slot goes to the next one waiting. */
  private void left(long now) {
    busy(now, -1);
    startWaiting(now);
  }

  private void startWaiting(long now) {
    while (queueLength > 0 && hasFreeSlot()) {
      Ticket next = waiting.poll();
      if (!next.ended) {
        queueLength--;
        start(next, now);
      }
    }
  }

  private void busy(long now, int change) {
    busyNanos += (long) inService * (now - busySince);
    busySince = now;
    inService += change;
  }

  /** This call's service time: the shape's draw around the pod's delay, slowed while the pod is cold. */
  private long serviceNanos(long now) {
    double mean = meanMs.getAsInt() * warmUp.slowdown((now - startedNanos) / 1e6);
    return Math.round(capacity.serviceTime().sampleMs(mean, random) * 1e6);
  }

  public Capacity capacity() {
    return capacity;
  }

  /** Calls in service now. */
  public int inService() {
    return inService;
  }

  /** Calls waiting now (not counting those that ended while waiting). */
  public int queueLength() {
    return queueLength;
  }

  /** Calls refused because the queue was full, since the pod started. */
  public long refused() {
    return refused;
  }

  /** Calls that left the queue (into service, or past their deadline), since the pod started. */
  public long callsStarted() {
    return callsStarted;
  }

  /** The mean time a call waited before its service, since the pod started; 0 before any. */
  public double meanWaitMs() {
    return callsStarted == 0 ? 0 : waitedNanos / 1e6 / callsStarted;
  }

  /** Nanoseconds of service given so far, summed over slots: over an interval, divided by c, the utilization. */
  public long busyNanos(long now) {
    return busyNanos + (long) inService * (now - busySince);
  }

  /**
   * A histogram of queue waits in µs: int counts (a bucket never sees 2^31 waits within a window), about 14 KB, so
   * that a hundred local pods with a queue and their windows hold about 10 MB.
   */
  static AbstractHistogram newWaits() {
    return new IntCountsHistogram(MAX_WAIT_MICROS, 2);
  }

  /** The queue waits (µs) recorded since the last take; the queue records into {@code fresh} from now on. */
  public AbstractHistogram takeWaits(AbstractHistogram fresh) {
    AbstractHistogram taken = waits;
    waits = fresh;
    return taken;
  }
}
