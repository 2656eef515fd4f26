package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * One client type over local mode's fleet of clients (--clients): call i goes to client i mod M, each client's own
 * channel of the type (its own connections, balancer and discovery). Client 0 is this process's experiment client;
 * the others come from {@code others}, an immutable list swapped whole when the fleet is scaled. With no other
 * client it is client 0's channel and nothing more. A request's view ({@code lb=}, {@code subset_size=}...) is the
 * same view of every client's channel, counted with the fleet's.
 */
public final class FleetChannel implements GreeterChannel {
  private final GreeterChannel own;
  private final Supplier<List<GreeterChannel>> others;
  private final UnaryOperator<GreeterChannel> view;
  private final AtomicLong next;
  /** Calls sent to each client, by its number; shared with every view. */
  private final ConcurrentHashMap<Integer, LongAdder> sent;
  /** The members built from the latest {@code others} list: rebuilt only when the fleet changes. */
  private volatile Members members = new Members(null, List.of());

  private record Members(List<GreeterChannel> source, List<GreeterChannel> all) {
  }

  public FleetChannel(GreeterChannel own, Supplier<List<GreeterChannel>> others) {
    this(own, others, UnaryOperator.identity(), new AtomicLong(), new ConcurrentHashMap<>());
  }

  private FleetChannel(GreeterChannel own, Supplier<List<GreeterChannel>> others, UnaryOperator<GreeterChannel> view,
                       AtomicLong next, ConcurrentHashMap<Integer, LongAdder> sent) {
    this.own = own;
    this.others = others;
    this.view = view;
    this.next = next;
    this.sent = sent;
  }

  /** Every client's channel, this process's first. */
  public List<GreeterChannel> members() {
    List<GreeterChannel> source = others.get();
    Members current = members;
    if (current.source() != source) {
      List<GreeterChannel> all = new ArrayList<>(source.size() + 1);
      all.add(own);
      source.forEach(channel -> all.add(view.apply(channel)));
      current = new Members(source, List.copyOf(all));
      members = current;
    }
    return current.all();
  }

  /** Calls sent to client {@code index} since this channel was made, every view's included. */
  public long callsSentTo(int index) {
    LongAdder count = sent.get(index);
    return count == null ? 0 : count.sum();
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    List<GreeterChannel> all = members();
    int index = all.size() == 1 ? 0 : (int) Math.floorMod(next.getAndIncrement(), (long) all.size());
    sent.computeIfAbsent(index, i -> new LongAdder()).increment();
    return all.get(index).sayHello(request, cancellation);
  }

  private FleetChannel viewed(UnaryOperator<GreeterChannel> change) {
    UnaryOperator<GreeterChannel> both = channel -> change.apply(view.apply(channel));
    return new FleetChannel(change.apply(own), others, both, next, sent);
  }

  @Override
  public GreeterChannel withLb(LbPolicy policy) {
    return viewed(channel -> channel.withLb(policy));
  }

  @Override
  public GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    return viewed(channel -> channel.withFleet(change));
  }

  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return viewed(channel -> channel.withHedgingDelay(delayMs));
  }

  @Override
  public Future<Void> warmUp() {
    return Future.join(members().stream().map(GreeterChannel::warmUp).toList()).mapEmpty();
  }

  /** The first client's reason: the others are built the same way. */
  @Override
  public String unavailableReason() {
    return own.unavailableReason();
  }

  @Override
  public Integer maxOpenConnections() {
    return own.maxOpenConnections();
  }

  /** Every client's endpoints, each once. */
  @Override
  public List<String> endpoints() {
    List<GreeterChannel> all = members();
    return all.size() == 1 ? own.endpoints()
        : List.copyOf(new TreeSet<>(all.stream().flatMap(c -> c.endpoints().stream()).toList()));
  }

  @Override
  public Retries retries() {
    return members().stream().map(GreeterChannel::retries)
        .reduce(Retries.NONE, (a, b) -> new Retries(a.transparent() + b.transparent(), a.policy() + b.policy()));
  }

  /** Every client's together: the calls by their attempts, the hedges and the throttled, summed. */
  @Override
  public Attempts attempts() {
    return members().stream().map(GreeterChannel::attempts).reduce(Attempts.NONE, Attempts::plus);
  }

  @Override
  public Map<String, Long> attemptsPerIp() {
    List<GreeterChannel> all = members();
    if (all.size() == 1) {
      return own.attemptsPerIp();
    }
    Map<String, Long> sum = new TreeMap<>();
    all.forEach(channel -> channel.attemptsPerIp().forEach((ip, n) -> sum.merge(ip, n, Long::sum)));
    return sum;
  }

  /** One event loop only while there is one client: calls to many spread over the firers. */
  @Override
  public Context preferredContext() {
    return members().size() == 1 ? own.preferredContext() : null;
  }

  @Override
  public long connectionsOpened() {
    return members().stream().mapToLong(GreeterChannel::connectionsOpened).sum();
  }

  @Override
  public int connectionsOpen() {
    return members().stream().mapToInt(GreeterChannel::connectionsOpen).sum();
  }

  /** Closes this process's channel; the other clients close theirs. */
  @Override
  public Future<Void> close() {
    return own.close();
  }
}
