package lab.grpclb.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * round_robin (grpc-java's {@code RoundRobinLoadBalancer}): rotates over the READY endpoints, the write-up's exact
 * splits. The rotation carries over from picker to picker, so an endpoint change does not restart it, and starts at
 * random, so that many clients don't all begin with the same pod.
 */
public final class RoundRobinBalancer extends ReadySubchannelsBalancer {
  /** Shared by successive pickers; touched on the balancer's event loop only. */
  private final AtomicInteger rotation;

  public RoundRobinBalancer(Helper helper) {
    this(helper, ThreadLocalRandom.current().nextInt());
  }

  /** Starting the rotation at {@code start} (tests). */
  public RoundRobinBalancer(Helper helper, int start) {
    super(helper);
    this.rotation = new AtomicInteger(start);
  }

  @Override
  protected Picker<Subchannel> picker(List<Subchannel> ready) {
    return new Picker.RoundRobin<>(ready, rotation);
  }
}
