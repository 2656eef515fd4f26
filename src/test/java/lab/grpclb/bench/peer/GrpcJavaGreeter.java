package lab.grpclb.bench.peer;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.interop.GrpcJava;
import sun.misc.Signal;

/**
 * The greeter as a grpc-java user would write it, for the benchmark's server table: the same proto and the same
 * delay semantics as ours ({@code --delay-ms}: 0 answers inline, more answers from a timer on a Netty event loop,
 * as ours answers from a Vert.x timer), set up as grpc-java's own benchmarks set up their server
 * ({@code directExecutor()}, epoll, a 16 MiB flow-control window). It prints the line our server prints when it
 * listens and, on SIGTERM, how many calls it served, so the benchmark starts and reads it as it does ours.
 */
public final class GrpcJavaGreeter {
  /** What our server logs once it listens (BenchFleet waits for it), followed by host:port. */
  static final String READY = "greeter listening on ";

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Server server;
  private final String podIp;
  private final int delayMs;
  private final LongAdder served = new LongAdder();
  /** Counted down once {@link #stop()} has said how many calls it served. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** What the command line says: the flags of ours that matter here. */
  public record GreeterSetup(String host, int port, String podIp, int delayMs) {
    static GreeterSetup parse(String[] args) {
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
      }
      String host = flags.getOrDefault("host", "127.0.0.1");
      return new GreeterSetup(host, Integer.parseInt(flags.getOrDefault("port", "50051")), flags.getOrDefault("pod-ip", host),
          Integer.parseInt(flags.getOrDefault("delay-ms", "0")));
    }
  }

  private GrpcJavaGreeter(GreeterSetup config) throws IOException {
    this.podIp = config.podIp();
    this.delayMs = config.delayMs();
    boolean epoll = Epoll.isAvailable();
    boss = epoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("grpc-java-greeter-boss", true))
        : new NioEventLoopGroup(1, new DefaultThreadFactory("grpc-java-greeter-boss", true));
    workers = epoll ? new EpollEventLoopGroup(0, new DefaultThreadFactory("grpc-java-greeter", true))
        : new NioEventLoopGroup(0, new DefaultThreadFactory("grpc-java-greeter", true));
    server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        // calls run on the event loop that read them, as ours do on Vert.x's: no hop to a thread pool
        .directExecutor()
        .flowControlWindow(16 << 20) // ours: Http2Server's 16 MiB connection window
        .maxConcurrentCallsPerConnection(Integer.MAX_VALUE) // ours lifts Vert.x's 100-stream default too
        .addService(ServerServiceDefinition.builder("experiment.Greeter")
            .addMethod(GrpcJava.SAY_HELLO, ServerCalls.asyncUnaryCall(this::sayHello)).build())
        .build()
        .start();
  }

  /** Listens at once ({@code port} 0: any free port); a test's way in, as main is the benchmark's. */
  public static GrpcJavaGreeter start(GreeterSetup config) throws IOException {
    return new GrpcJavaGreeter(config);
  }

  public int port() {
    return server.getPort();
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    GreeterSetup config = GreeterSetup.parse(args);
    GrpcJavaGreeter greeter = start(config);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        greeter.stop();
        System.exit(0);
      });
    }
    System.out.println(READY + config.host() + ":" + greeter.port() + " (grpc-java " + io.grpc.Grpc.class.getPackage()
        .getImplementationVersion() + ", delay " + config.delayMs() + " ms)");
    System.out.flush();
    // every thread of ours is a daemon: main holds the JVM up until SIGTERM has stopped it. Not until the server
    // terminates: the JVM then exited before stop() printed its count, and the benchmark read "? calls".
    greeter.stopped.await();
  }

  private void sayHello(HelloRequest request, StreamObserver<HelloReply> reply) {
    HelloReply answer = HelloReply.newBuilder().setMessage("Hello " + request.getName()).setIpAddress(podIp).build();
    if (delayMs == 0) {
      answer(reply, answer);
    } else {
      workers.next().schedule(() -> answer(reply, answer), delayMs, TimeUnit.MILLISECONDS);
    }
  }

  private void answer(StreamObserver<HelloReply> reply, HelloReply answer) {
    reply.onNext(answer);
    reply.onCompleted();
    served.increment();
  }

  /** Lets calls in flight finish (at most 10 s), then says how many were served, as our server's last line does. */
  public void stop() {
    server.shutdown();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
    System.out.println("grpc-java greeter stopped: " + served.sum() + " served in all");
    System.out.flush();
    stopped.countDown();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
