package lab.grpclb.balance;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;

/**
 * gRFC A50's outlier detection wrapped around a child policy, as grpc-java's {@code OutlierDetectionLoadBalancer}
 * does it: the child makes its subchannels through this balancer, and an ejected subchannel tells the child it is
 * TRANSIENT_FAILURE, so no picker of the child offers it until it returns. A sweep every interval judges the calls
 * that ended on each subchannel ({@link OutlierDetector}). Settings change while calls flow, as a pushed service
 * config would; without a config every endpoint is back.
 */
public final class OutlierDetectionBalancer implements LoadBalancer {
  private static final Logger LOG = Logger.getLogger(OutlierDetectionBalancer.class.getName());

  private final Helper helper;
  private final LoadBalancer child;
  private final Map<String, Ejectable> subchannels = new LinkedHashMap<>();
  /** Read by the status page and metrics from other threads. */
  private volatile OutlierDetector detector;
  private volatile List<Ejection> ejections = List.of();
  /** Read by metrics from another thread. */
  private final LongAdder ejectionsSoFar = new LongAdder();
  private Scheduler.Timer sweep = Scheduler.Timer.NONE;

  /** An ejected endpoint: since when, and the sweep that will return it. */
  public record Ejection(String endpoint, Instant since, Instant returnsAt, int multiplier) {
  }

  /** Ejection's settings and the endpoints ejected now, for the status page. */
  public record Status(OutlierEjection settings, List<Ejection> ejected) {
  }

  /** Makes the child policy with the helper it must use. */
  @FunctionalInterface
  public interface ChildFactory {
    LoadBalancer create(Helper helper);
  }

  public OutlierDetectionBalancer(Helper helper, OutlierEjection settings, ChildFactory child) {
    this.helper = helper;
    this.child = child.create(new EjectingHelper());
    configure(settings);
  }

  /** New settings (gRFC A50: switched off or changed, every endpoint is back). */
  public void configure(OutlierEjection settings) {
    sweep.cancel();
    sweep = Scheduler.Timer.NONE;
    if (detector != null) {
      OutlierDetector.returnAll(trackers());
      afterSweep();
    }
    detector = settings.enabled() ? new OutlierDetector(settings) : null;
    scheduleSweep();
  }

  private void scheduleSweep() {
    OutlierDetector current = detector;
    if (current != null) {
      sweep = helper.scheduler().schedule(current.settings().intervalMs(), () -> {
        sweepNow();
        scheduleSweep();
      });
    }
  }

  private List<OutlierTracker> trackers() {
    return subchannels.values().stream().map(Ejectable::outliers).toList();
  }

  private void sweepNow() {
    detector.sweep(trackers(), helper.scheduler().nanoTime());
    afterSweep();
  }

  /** Tells the child of every ejection and return, and records them for the status page. */
  private void afterSweep() {
    List<Ejection> now = new ArrayList<>();
    for (Ejectable subchannel : subchannels.values()) {
      OutlierTracker tracker = subchannel.outliers();
      if (tracker.ejected() && !subchannel.ejected) {
        ejectionsSoFar.increment();
        LOG.info(() -> "endpoint " + subchannel.key() + " ejected: " + Math.round(tracker.failurePercent())
            + " % of its " + tracker.volume() + " calls failed in the last interval; back at "
            + returnsAt(tracker));
      } else if (!tracker.ejected() && subchannel.ejected) {
        LOG.info(() -> "endpoint " + subchannel.key() + " no longer ejected");
      }
      subchannel.setEjected(tracker.ejected());
      if (tracker.ejected()) {
        now.add(new Ejection(subchannel.key(), helper.scheduler().wallTime(tracker.ejectedAtNanos()),
            returnsAt(tracker), tracker.multiplier()));
      }
    }
    ejections = List.copyOf(now);
  }

  private Instant returnsAt(OutlierTracker tracker) {
    return helper.scheduler().wallTime(detector.returnsAtNanos(tracker));
  }

  @Override
  public void acceptEndpoints(EndpointSet endpoints) {
    child.acceptEndpoints(endpoints);
    List<String> routable = endpoints.routable().stream().map(Endpoint::key).toList();
    ejections = ejections.stream().filter(e -> routable.contains(e.endpoint())).toList();
  }

  @Override
  public void close() {
    sweep.cancel();
    child.close();
  }

  /** The settings and ejections now; null settings while ejection is off. */
  public Status status() {
    OutlierDetector current = detector;
    return new Status(current == null ? null : current.settings(), ejections);
  }

  public long ejectionsSoFar() {
    return ejectionsSoFar.sum();
  }

  private final class EjectingHelper extends ForwardingHelper {
    @Override
    protected Helper delegate() {
      return helper;
    }

    @Override
    public Subchannel createSubchannel(Endpoint endpoint) {
      Ejectable subchannel = new Ejectable(helper.createSubchannel(endpoint));
      subchannels.put(subchannel.key(), subchannel);
      return subchannel;
    }
  }

  /** A subchannel that reads TRANSIENT_FAILURE to the child while ejected, and its true state otherwise. */
  private final class Ejectable extends ForwardingSubchannel {
    private StateListener listener = (state, error) -> { };
    private ConnectivityState state = ConnectivityState.IDLE;
    private String error;
    private boolean ejected;

    Ejectable(Subchannel delegate) {
      super(delegate);
    }

    void setEjected(boolean now) {
      if (now == ejected) {
        return;
      }
      ejected = now;
      if (now) {
        listener.stateChanged(ConnectivityState.TRANSIENT_FAILURE, "ejected by outlier detection");
      } else {
        listener.stateChanged(state, error);
      }
    }

    @Override
    public void start(StateListener listener) {
      this.listener = listener;
      delegate.start((next, why) -> {
        state = next;
        error = why;
        if (!ejected) {
          this.listener.stateChanged(next, why); // the field: a drained subchannel's listener is gone
        }
      });
    }

    @Override
    public Future<Void> drain() {
      subchannels.remove(key(), this);
      listener = (state, error) -> { };
      return delegate.drain();
    }
  }
}
