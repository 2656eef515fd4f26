package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import lab.grpclb.config.SlowStartConfig;

/**
 * The policies Envoy's slow start applies to, round robin and least request ({@code EdfLoadBalancerBase}): while an
 * endpoint ramps ({@link SlowStart}), calls are picked by {@link EdfPicker} over each endpoint's weight x its slow
 * start factor; otherwise by the policy's own picker. When the last ramp ends the picker is rebuilt, so the policy's
 * own picker comes back (Envoy keeps its EDF until the next host change; here the end is a timer on the balancer's
 * {@link Scheduler}).
 */
abstract class SlowStartBalancer extends ReadySubchannelsBalancer {
  private final SlowStart slowStart;
  private final RandomGenerator random;
  private Scheduler.Timer rampsEnd = Scheduler.Timer.NONE;

  SlowStartBalancer(Helper helper, SlowStartConfig config, RandomGenerator random) {
    super(helper);
    this.slowStart = new SlowStart(config, helper.scheduler());
    this.random = random;
  }

  SlowStartBalancer(Helper helper, SlowStartConfig config) {
    this(helper, config, ThreadLocalRandom.current());
  }

  /** How the policy picks among {@code ready} while none ramps. */
  protected abstract Picker<Subchannel> steadyPicker(List<Subchannel> ready);

  /** The endpoint's weight before slow start's factor (Envoy's {@code hostWeight}), above 0. */
  protected abstract double weight(Subchannel subchannel);

  @Override
  protected final Picker<Subchannel> picker(List<Subchannel> ready) {
    rampsEnd.cancel();
    if (!slowStart.anyRamping(ready)) {
      return steadyPicker(ready);
    }
    rampsEnd = scheduler().schedule(slowStart.msUntilRampsEnd(ready), this::rebuildPicker);
    return new EdfPicker<>(ready, s -> weight(s) * slowStart.factor(s.key()), random);
  }

  @Override
  protected void subchannelAdded(Subchannel subchannel, boolean joinedOthers) {
    slowStart.joined(subchannel.key(), joinedOthers);
  }

  @Override
  protected void subchannelReady(Subchannel subchannel) {
    slowStart.ready(subchannel.key());
  }

  @Override
  protected void subchannelRemoved(Subchannel subchannel) {
    slowStart.left(subchannel.key());
  }

  @Override
  public void close() {
    rampsEnd.cancel();
    super.close();
  }
}
