package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import lab.grpclb.ChildLog;
import lab.grpclb.interop.GrpcJava;
import org.junit.jupiter.api.Test;

/** The real process: SIGTERM drains the call in flight, logs each step, and exits 0. */
class SigtermTest {
  static final Pattern LISTENING = Pattern.compile("greeter listening on [0-9.]+:(\\d+)");

  @Test
  void sigtermDrainsInFlightCallsAndExitsZero() throws Exception {
    Path log = Files.createTempFile("greeter", ".log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "lab.grpclb.Main",
        "--mode", "server", "--host", "127.0.0.14", "--port", "0", "--pod-ip", "127.0.0.14", "--delay-ms", "1500")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int port = ChildLog.awaitPort(log, LISTENING);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.14", port).usePlaintext().build();
    try {
      for (int i = 0; i < 500 && channel.getState(true) != ConnectivityState.READY; i++) {
        Thread.sleep(20); // connect before the signal: a draining server refuses new connections
      }
      Future<HelloReply> call = ClientCalls.futureUnaryCall(channel.newCall(GrpcJava.SAY_HELLO,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), HelloRequest.newBuilder().setName("k8s").build());
      Thread.sleep(400); // the call is waiting on the server's delay
      process.destroy(); // SIGTERM
      assertEquals("127.0.0.14", call.get(10, TimeUnit.SECONDS).getIpAddress());
      assertTrue(process.waitFor(15, TimeUnit.SECONDS), "the server exits after draining");
      assertEquals(0, process.exitValue());
      String printed = Files.readString(log);
      assertTrue(printed.contains("SIGTERM received"), printed);
      assertTrue(printed.contains("health NOT_SERVING"), printed);
      assertTrue(printed.contains("GOAWAY sent"), printed);
      assertTrue(printed.contains("drained, 0 calls left unfinished, 1 served"), printed);
      assertFalse(printed.contains("Exception"), printed);
    } finally {
      channel.shutdownNow();
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

}
