package lab.grpclb.bench.peer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import lab.grpclb.bench.BenchLoad;
import lab.grpclb.bench.GrpcJavaTypes;
import lab.grpclb.experiment.ReportJson;
import sun.misc.Signal;

/**
 * grpc-java as its users run it, behind the experiment client's HTTP shape, so that the benchmark starts, warms
 * up and times it exactly as it does ours: {@code GET /experiment/client?type=T&n=N} (or a load shape's query, as
 * {@link BenchLoad} writes it) answers {@link ReportJson}'s fields. Two clients, built once:
 * {@link GrpcJavaTypes#ONE_CHANNEL}, one channel to {@code --target} (ClientWithReuseConn's counterpart), and
 * {@link GrpcJavaTypes#ROUND_ROBIN}, round_robin over {@code --pods} (ClientWithKubeResolver's).
 *
 * <p>Why it lives in the test sources: grpc-java (grpc-netty-shaded, grpc-protobuf, grpc-stub) is a test
 * dependency, so the fat jar users run does not carry it. bench/peer.sh compiles this package with javac against
 * that jar and the test classpath, and the benchmark runs it in a JVM of its own with our client's heap and flags.
 */
public final class GrpcJavaPeer implements AutoCloseable {
  /** How long a run waits for its channel to connect before it starts the clock, as ours waits for its own. */
  private static final long READY_WAIT_MS = 5_000;
  /** The peer's Netty event loops: {@code grpc-java-peer-epoll-N} (or {@code -nio-N} where epoll is missing). */
  public static final String THREADS = "grpc-java-peer-" + (Epoll.isAvailable() ? "epoll" : "nio");
  private static final EventLoopGroup EVENT_LOOPS = Epoll.isAvailable()
      ? new EpollEventLoopGroup(0, new DefaultThreadFactory(THREADS, true))
      : new NioEventLoopGroup(0, new DefaultThreadFactory(THREADS, true));

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final Map<String, List<String>> endpoints = new LinkedHashMap<>();
  private final long callTimeoutMs;
  private final HttpServer http;
  private final ExecutorService experiments = Executors.newSingleThreadExecutor(); // one at a time, as ours runs them

  /** What the peer's command line says. */
  public record Config(String httpHost, int httpPort, InetSocketAddress target, List<InetSocketAddress> pods, long callTimeoutMs) {
    static Config parse(String[] args) {
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
      }
      List<InetSocketAddress> pods = Arrays.stream(flags.getOrDefault("pods", "").split(",")).filter(s -> !s.isBlank())
          .map(Config::address).toList();
      return new Config(flags.getOrDefault("http-host", "127.0.0.1"), Integer.parseInt(flags.getOrDefault("http-port", "0")),
          address(flags.getOrDefault("target", "127.0.0.2:50051")), pods,
          Long.parseLong(flags.getOrDefault("call-timeout-ms", "30000")));
    }

    private static InetSocketAddress address(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
  }

  private GrpcJavaPeer(Config config) throws IOException {
    this.callTimeoutMs = config.callTimeoutMs();
    channels.put(GrpcJavaTypes.ONE_CHANNEL, asItsBenchmarksRunIt(NettyChannelBuilder
        .forAddress(config.target().getHostString(), config.target().getPort())).build());
    endpoints.put(GrpcJavaTypes.ONE_CHANNEL, List.of(hostPort(config.target())));
    List<InetSocketAddress> pods = config.pods().stream().map(a -> new InetSocketAddress(a.getHostString(), a.getPort())).toList();
    StaticResolver resolver = new StaticResolver(pods);
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    channels.put(GrpcJavaTypes.ROUND_ROBIN, asItsBenchmarksRunIt(NettyChannelBuilder.forTarget(resolver.target())
        .defaultLoadBalancingPolicy("round_robin")).build());
    endpoints.put(GrpcJavaTypes.ROUND_ROBIN, config.pods().stream().map(GrpcJavaPeer::hostPort).toList());
    http = HttpServer.create(new InetSocketAddress(config.httpHost(), config.httpPort()), 0);
    http.createContext("/experiment/client", this::experiment);
    http.setExecutor(experiments);
    http.start();
  }

  /**
   * A channel set up as grpc-java's own benchmarks set theirs up (benchmarks' {@code Utils.newClientChannel}), so
   * that the comparison is with grpc-java at its best, not with a handicapped peer. {@link GrpcJavaPeerTest} fails
   * if one of these goes.
   */
  public static NettyChannelBuilder asItsBenchmarksRunIt(NettyChannelBuilder builder) {
    return builder.usePlaintext()
        // replies are handled on the Netty event loop that read them, as ours are on the Vert.x one; without it each
        // reply hops to grpc-java's cached thread pool (the default executor), which its performance guide advises
        // against for non-blocking code like this
        .directExecutor()
        // epoll where ours uses it (IoTransport prefers epoll on Linux, as grpc-java's Netty transport does), with
        // grpc-java's default thread count (2 x cores), on threads named so that a test can see them
        .channelType(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
        .eventLoopGroup(EVENT_LOOPS)
        // ours: a 16 MiB connection window (Http2Client.CONNECTION_WINDOW); grpc-java sets one value for the
        // connection and each stream. A 20-byte message never waits on either, but the settings match
        .flowControlWindow(16 << 20);
  }

  public static GrpcJavaPeer start(Config config) throws IOException {
    return new GrpcJavaPeer(config);
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public static void main(String[] args) throws IOException {
    GrpcJavaPeer peer = start(Config.parse(args));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        peer.close();
        System.exit(0);
      });
    }
    System.out.println(GrpcJavaTypes.READY + "http://127.0.0.1:" + peer.port() + " (types " + GrpcJavaTypes.ALL + ")");
    System.out.flush();
  }

  private void experiment(HttpExchange exchange) throws IOException {
    try {
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String type = query.remove("type");
      ManagedChannel channel = type == null ? null : channels.get(type);
      if (channel == null) {
        answer(exchange, 400, error("type must be one of " + GrpcJavaTypes.ALL + ", got '" + type + "'"));
        return;
      }
      String runs = query.remove("runs");
      if (runs != null && !runs.equals("1")) {
        answer(exchange, 400, error("the grpc-java peer runs one run per request: runs=1, got '" + runs + "'"));
        return;
      }
      BenchLoad load = BenchLoad.fromQuery(query);
      awaitReady(channel);
      answer(exchange, 200, ReportJson.toJson(new PeerRun(channel, type, load, callTimeoutMs, endpoints.get(type)).run()));
    } catch (IllegalArgumentException e) {
      answer(exchange, 400, error(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 503, error("the peer is stopping"));
    } catch (RuntimeException e) {
      answer(exchange, 500, error(String.valueOf(e)));
    }
  }

  /** Connects before the clock starts; a channel that cannot, runs anyway and its calls fail as they would. */
  private static void awaitReady(ManagedChannel channel) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MS);
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY && System.nanoTime() < deadline) {
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      changed.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      state = channel.getState(true);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return query;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void answer(HttpExchange exchange, int status, JsonObject body) throws IOException {
    byte[] bytes = body.encodePrettily().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    experiments.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
