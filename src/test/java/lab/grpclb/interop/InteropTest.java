package lab.grpclb.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.BalancerStatus;
import lab.grpclb.client.HealthStatus;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our server and our client speak the wire contract with grpc-java, an independent implementation. */
@ExtendWith(VertxExtension.class)
class InteropTest {

  @Test
  void grpcJavaClientCallsOurServer(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.11", 10);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.11", server.port()).usePlaintext().build();
    try {
      HelloReply reply = ClientCalls.blockingUnaryCall(channel, GrpcJava.SAY_HELLO,
          CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), HelloRequest.newBuilder().setName("grpc-java").build());
      assertEquals("Hello grpc-java", reply.getMessage());
      assertEquals("127.0.0.11", reply.getIpAddress());
    } finally {
      channel.shutdownNow();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /** A grpc-java server on 127.0.0.12 with the Greeter alone (no health service), answering "Hi name" from {@code ip}. */
  static Server grpcJavaGreeter(String ip) throws Exception {
    ServerServiceDefinition greeter = ServerServiceDefinition.builder("experiment.Greeter")
        .addMethod(GrpcJava.SAY_HELLO, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(HelloReply.newBuilder().setMessage("Hi " + request.getName()).setIpAddress(ip).build());
          reply.onCompleted();
        }))
        .build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.12", 0)).addService(greeter).build().start();
  }

  @Test
  void ourClientCallsAGrpcJavaServer(Vertx vertx) throws Exception {
    Server server = grpcJavaGreeter("10.9.8.7");
    SharedChannel channel = new SharedChannel(vertx, SocketAddress.inetSocketAddress(server.getPort(), "127.0.0.12"), 5_000, 5_000, KeepAlive.OFF);
    try {
      HelloReply reply = channel.sayHello(HelloRequest.newBuilder().setName("vertx").build()).await(5, TimeUnit.SECONDS);
      assertEquals("Hi vertx", reply.getMessage());
      assertEquals("10.9.8.7", reply.getIpAddress());
    } finally {
      channel.close().await(5, TimeUnit.SECONDS);
      server.shutdownNow();
    }
  }

  /**
   * grpc-java's server polices pings with its defaults (one per 5 minutes, two strikes forgiven between replies):
   * our keepalive, however short, sends at most two PINGs between two replies, so it is never sent away.
   */
  @Test
  void aStockGrpcJavaServerNeverSendsOurKeepaliveAway(Vertx vertx) throws Exception {
    java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    ServerServiceDefinition slow = ServerServiceDefinition.builder("experiment.Greeter")
        .addMethod(GrpcJava.SAY_HELLO, ServerCalls.asyncUnaryCall((request, reply) -> later.schedule(() -> {
          reply.onNext(HelloReply.newBuilder().setMessage("Hi " + request.getName()).setIpAddress("10.9.8.7").build());
          reply.onCompleted();
        }, 1_500, TimeUnit.MILLISECONDS)))
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.12", 0)).addService(slow).build().start();
    // a PING after every 100 ms without a read: 15 chances to ping during each call
    SharedChannel channel = new SharedChannel(vertx, SocketAddress.inetSocketAddress(server.getPort(), "127.0.0.12"),
        10_000, 5_000, new KeepAlive(100, 1_000, false));
    try {
      for (int i = 0; i < 3; i++) {
        HelloReply reply = channel.sayHello(HelloRequest.newBuilder().setName("pinged").build()).await(10, TimeUnit.SECONDS);
        assertEquals("Hi pinged", reply.getMessage());
      }
      assertEquals(1, channel.connectionsOpened(), "never sent away: one connection for every call");
    } finally {
      channel.close().await(5, TimeUnit.SECONDS);
      server.shutdownNow();
      later.shutdownNow();
    }
  }

  /**
   * gRFC A17: a server without the health service answers our Watch UNIMPLEMENTED, which means healthy. The balancing
   * client, health checking on by default, picks a grpc-java server that has only the Greeter.
   */
  @Test
  void aGrpcJavaServerWithoutTheHealthServiceIsPickedByTheHealthCheckingClient(Vertx vertx) throws Exception {
    Server server = grpcJavaGreeter("10.9.8.6");
    List<Endpoint> endpoints = List.of(new Endpoint("127.0.0.12", server.getPort(), "grpc-java", true, true, false));
    BalancedChannel channel = new BalancedChannel(vertx, 5_000, 5_000, KeepAlive.OFF, AttemptPolicy.DEFAULT,
        BalancerConfig.DEFAULT, () -> null);
    try {
      channel.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
      HelloReply reply = channel.sayHello(HelloRequest.newBuilder().setName("checked").build()).await(5, TimeUnit.SECONDS);
      assertEquals("10.9.8.6", reply.getIpAddress());
      BalancerStatus.EndpointStatus status = channel.status().await(5, TimeUnit.SECONDS).endpoints().get(0);
      assertEquals(HealthStatus.UNIMPLEMENTED, status.health().serving(), status.toString());
    } finally {
      channel.close().await(5, TimeUnit.SECONDS);
      server.shutdownNow();
    }
  }
}
