package lab.grpclb.bench.peer;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed list of pod addresses under a scheme of its own: what a round_robin channel needs to stand in for
 * ClientWithKubeResolver when the pods do not change, as in the benchmark. Providers register in one registry per
 * JVM, so each list gets its own scheme and two peers in one JVM (tests) never see each other's pods.
 */
public final class StaticResolver extends NameResolverProvider {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final String scheme = "bench-pods-" + INSTANCES.incrementAndGet();
  private final List<InetSocketAddress> pods;

  public StaticResolver(List<InetSocketAddress> pods) {
    this.pods = List.copyOf(pods);
  }

  /** The channel target that resolves to the pods. */
  public String target() {
    return scheme + ":///pods";
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (!scheme.equals(target.getScheme())) {
      return null;
    }
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return "pods";
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder()
            .setAddresses(pods.stream().map(EquivalentAddressGroup::new).toList()).build());
      }

      @Override
      public void shutdown() {
      }
    };
  }

  @Override
  public String getDefaultScheme() {
    return scheme;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
