package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import lab.grpclb.config.SlowStartConfig;

/**
 * round_robin (grpc-java's {@code RoundRobinLoadBalancer}): rotates over the READY endpoints, the write-up's exact
 * splits. The rotation carries over from picker to picker, so an endpoint change does not restart it, and starts at
 * random, so that many clients don't all begin with the same pod. With slow start, an endpoint that joined later
 * weighs its ramp's factor and the others 1 until its window ends (Envoy's round robin).
 */
public final class RoundRobinBalancer extends SlowStartBalancer {
  /** Shared by successive pickers; touched on the balancer's event loop only. */
  private final AtomicInteger rotation;

  public RoundRobinBalancer(Helper helper, SlowStartConfig slowStart) {
    this(helper, slowStart, ThreadLocalRandom.current().nextInt(), ThreadLocalRandom.current());
  }

  /** Starting the rotation at {@code start}, slow start's first deadlines drawn from {@code random} (tests). */
  public RoundRobinBalancer(Helper helper, SlowStartConfig slowStart, int start, RandomGenerator random) {
    super(helper, slowStart, random);
    this.rotation = new AtomicInteger(start);
  }

  @Override
  protected Picker<Subchannel> steadyPicker(List<Subchannel> ready) {
    return new Picker.RoundRobin<>(ready, rotation);
  }

  /** Every endpoint weighs the same. */
  @Override
  protected double weight(Subchannel subchannel) {
    return 1;
  }
}
