package lab.grpclb.balance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import lab.grpclb.config.WeightedRoundRobinConfig;
import lab.grpclb.discovery.EndpointSet;

/**
 * weighted_round_robin (gRFC A58, grpc-java's {@code WeightedRoundRobinLoadBalancer}): round robin over the READY
 * endpoints, each weighted by the load its pod reports (A51's ORCA: qps / utilization, see {@link EndpointWeight}).
 * Reports come with the calls' trailers, or, with {@code --wrr-oob}, on each connection's out-of-band stream at the
 * period asked. Every update period the picker's scheduler is rebuilt with the weights as they stand then; an endpoint
 * without a usable weight gets the mean of the others, and with fewer than two weights it is plain round robin. The
 * rotation is shared by successive schedulers and pickers and starts at random, as round_robin's does.
 */
public final class WeightedRoundRobinBalancer extends ReadySubchannelsBalancer {
  private final WeightedRoundRobinConfig config;
  private final AtomicInteger sequence;
  /** By endpoint key, for the endpoints in the Service now. */
  private final Map<String, EndpointWeight> weights = new LinkedHashMap<>();
  /** The last picker built; null before the first. */
  private WeightedRoundRobinPicker<Subchannel> current;
  private Scheduler.Timer update = Scheduler.Timer.NONE;

  public WeightedRoundRobinBalancer(Helper helper, WeightedRoundRobinConfig config) {
    this(helper, config, ThreadLocalRandom.current().nextInt());
  }

  /** Starting the rotation at {@code start} (tests). */
  public WeightedRoundRobinBalancer(Helper helper, WeightedRoundRobinConfig config, int start) {
    super(helper);
    this.config = config;
    this.sequence = new AtomicInteger(start);
  }

  @Override
  public void acceptEndpoints(EndpointSet endpoints) {
    super.acceptEndpoints(endpoints);
    if (update == Scheduler.Timer.NONE) { // the first endpoints start the updates, on the balancer's event loop
      scheduleUpdate();
    }
  }

  private void scheduleUpdate() {
    update = scheduler().schedule(config.updateMs(), () -> {
      if (current != null) {
        current.updateWeights(weightsOf(current.targets()));
      }
      scheduleUpdate();
    });
  }

  @Override
  protected Picker<Subchannel> picker(List<Subchannel> ready) {
    current = new WeightedRoundRobinPicker<>(ready, sequence, weightsOf(ready));
    return current;
  }

  /** A58's weights as they stand now: 0 for an endpoint in its blackout, expired or never weighed. */
  private double[] weightsOf(List<Subchannel> targets) {
    long now = scheduler().nanoTime();
    double[] usable = new double[targets.size()];
    for (int i = 0; i < usable.length; i++) {
      usable[i] = weights.get(targets.get(i).key()).weightAt(now);
    }
    return usable;
  }

  @Override
  protected void subchannelAdded(Subchannel subchannel, boolean joinedOthers) {
    EndpointWeight weight = new EndpointWeight(config);
    weights.put(subchannel.key(), weight);
    // with OOB on, A58 ignores trailer reports; Subchannel hands over both kinds alike, so both count here
    subchannel.setLoadReportListener(report -> weight.reported(report, scheduler().nanoTime()));
    if (config.oob()) {
      subchannel.requestOobReports(config.oobPeriodMs());
    }
  }

  @Override
  protected void subchannelReady(Subchannel subchannel) {
    weights.get(subchannel.key()).becameReady();
  }

  @Override
  protected void subchannelRemoved(Subchannel subchannel) {
    weights.remove(subchannel.key());
    if (current != null && current.targets().contains(subchannel)) {
      current = null; // no weight to give it any more; the next picker, if any endpoint is READY, replaces it
    }
  }

  /** Each endpoint's weight as it stands now, by endpoint key, for /status. */
  public Map<String, EndpointWeight.WeightStatus> weights() {
    long now = scheduler().nanoTime();
    Map<String, EndpointWeight.WeightStatus> statuses = new LinkedHashMap<>();
    weights.forEach((key, weight) -> statuses.put(key, weight.status(now)));
    return statuses;
  }

  @Override
  public void close() {
    update.cancel();
    super.close();
  }
}
