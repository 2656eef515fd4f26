package lab.grpclb.bench;

import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import lab.grpclb.config.FlagTable;
import lab.grpclb.local.ClusterDns;
import lab.grpclb.local.ControlPlane;
import lab.grpclb.local.EndpointController;
import lab.grpclb.local.ServiceProxy;

/**
 * The processes a benchmark runs: the greeter server JVMs on 127.0.0.2, .3, ...; in this JVM a
 * Kubernetes-API-shaped control plane listing them (and, with --service-proxy, a kube-proxy-like address); and
 * the client JVMs, ours and the grpc-java peer's, each started fresh for one type. Every JVM it starts is
 * stopped by {@link #close} or, on Ctrl-C, by {@link ChildJvm#stopAll}.
 */
final class BenchFleet implements AutoCloseable {
  /** The peer's classpath, which bench/run.sh sets: the grpc-java jars are test dependencies, not in the fat jar. */
  static final String PEER_CLASSPATH_PROPERTY = "bench.peer.classpath";
  static final String PEER_MAIN = "lab.grpclb.bench.peer.GrpcJavaPeer";
  /** grpc-java's greeter, for the dashboard's server table: in the peer's classes, as grpc-java is a test dependency. */
  static final String GRPC_JAVA_GREETER_MAIN = "lab.grpclb.bench.peer.GrpcJavaGreeter";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final String SERVER_READY = "greeter listening on ";
  private static final String CLIENT_READY = "experiment client listening on";
  private static final Pattern SERVED = Pattern.compile("(\\d+) served in all");
  /** What Vert.x's blocked-thread checker logs, and the shorter form people grep for. */
  private static final List<String> BLOCKED_MARKERS = List.of("has been blocked for", "Thread blocked");

  private final BenchOptions options;
  private final Path logDir;
  private final List<ChildJvm> servers = new ArrayList<>();
  private final List<ChildJvm> clients = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private String kubeApiUrl;
  private Path kubeTokenFile;
  private String dnsServer;

  BenchFleet(BenchOptions options, Path logDir) {
    this.options = options;
    this.logDir = logDir;
  }

  Path logDir() {
    return logDir;
  }

  /** Fails with a message that says what to do when an address the benchmark needs is taken. */
  static void checkPortsFree(BenchOptions options) {
    List<InetSocketAddress> needed = new ArrayList<>();
    for (int i = 0; i < options.replicas(); i++) {
      needed.add(new InetSocketAddress(options.serverIp(i), options.port()));
    }
    needed.add(new InetSocketAddress("127.0.0.1", options.httpPort()));
    if (options.grpcJavaPeer()) {
      needed.add(new InetSocketAddress("127.0.0.1", options.peerHttpPort()));
      if (options.dashboard() != null && options.dashboard().has(DashboardPlan.Table.SERVER)) {
        needed.add(new InetSocketAddress("127.0.0.1", options.secondPeerHttpPort()));
        needed.add(new InetSocketAddress(options.grpcJavaServerIp(), options.port()));
      }
    }
    if (options.serviceProxy()) {
      needed.add(new InetSocketAddress(BenchOptions.SERVICE_IP, options.port()));
    }
    for (InetSocketAddress address : needed) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(address);
      } catch (IOException e) {
        throw new BenchFailure(address.getHostString() + ":" + address.getPort() + " is busy or cannot be bound ("
            + e.getMessage() + "). Is another benchmark or `--mode local` running? See `ss -ltnp | grep "
            + address.getPort() + "`, or pick other ports with --port / --http-port.");
      }
    }
  }

  /** The peer's classpath, checked before anything starts. */
  static String peerClasspath() {
    String classpath = System.getProperty(PEER_CLASSPATH_PROPERTY, "");
    if (classpath.isBlank()) {
      throw new BenchFailure("the grpc-java peer needs its classpath (-D" + PEER_CLASSPATH_PROPERTY
          + ", which bench/run.sh sets); run bench/run.sh, or add --peers none");
    }
    return classpath;
  }

  /** Servers, then the control plane and the service proxy, in this JVM. */
  void start() throws IOException, InterruptedException {
    startServers();
    startControlPlane();
    if (options.serviceProxy()) {
      startServiceProxy();
    }
  }

  private void startServers() throws IOException, InterruptedException {
    for (int i = 0; i < options.replicas(); i++) {
      String ip = options.serverIp(i);
      List<String> command = java(options.serverHeap(), options.serverJvmArgs(), System.getProperty("java.class.path"),
          "lab.grpclb.Main");
      command.addAll(List.of("--mode", "server", "--host", ip, "--port", String.valueOf(options.port()),
          "--pod-ip", ip, "--delay-ms", String.valueOf(options.delayMs())));
      command.addAll(options.extraServerArgs());
      servers.add(ChildJvm.start("server " + ip, command, logDir.resolve("server-" + ip + ".log")));
    }
    for (int i = 0; i < servers.size(); i++) {
      servers.get(i).awaitLog(SERVER_READY + options.serverIp(i) + ":" + options.port(), START_TIMEOUT);
    }
    Benchmark.progress(servers.size() + " servers up (pids " + servers.stream().map(s -> String.valueOf(s.pid())).toList()
        + "), delay " + options.delayMs() + " ms");
  }

  /**
   * grpc-java's greeter (the peer's {@code GrpcJavaGreeter}) beside ours, on 127.0.0.(2 + replicas), started as our
   * servers are (heap, JVM flags, delay), for the server table; it counts as one of the servers from now on.
   */
  ChildJvm startGrpcJavaServer() throws IOException, InterruptedException {
    String ip = options.grpcJavaServerIp();
    List<String> command = java(options.serverHeap(), options.serverJvmArgs(), peerClasspath(), GRPC_JAVA_GREETER_MAIN);
    command.addAll(List.of("--host", ip, "--port", String.valueOf(options.port()), "--pod-ip", ip,
        "--delay-ms", String.valueOf(options.delayMs())));
    ChildJvm server = ChildJvm.start("grpc-java server " + ip, command, logDir.resolve("grpc-java-server-" + ip + ".log"));
    servers.add(server);
    server.awaitLog(SERVER_READY + ip + ":" + options.port(), START_TIMEOUT);
    Benchmark.progress("grpc-java greeter up on " + ip + ":" + options.port() + " (pid " + server.pid() + ")");
    return server;
  }

  /** Our server i (from 0), on {@link BenchOptions#serverIp}. */
  ChildJvm server(int i) {
    return servers.get(i);
  }

  /**
   * The greeter Service and its EndpointSlice with the server JVMs as ready endpoints, written by the local
   * mode's endpoint controller, so ClientWithKubeResolver discovers them as in a cluster, and the headless name
   * in the local mode's cluster DNS for ClientWithDnsResolver. Idle while rows run.
   */
  private void startControlPlane() throws IOException {
    ControlPlane api = new ControlPlane(vertx, ControlPlane.Options.realistic()).listen("127.0.0.1", 0).await();
    String token = UUID.randomUUID().toString();
    api.requireToken(token);
    kubeTokenFile = Files.writeString(logDir.resolve("token"), token);
    ClusterDns dns = new ClusterDns(EndpointController.NAMESPACE).listen(vertx, 0).await();
    EndpointController controller = new EndpointController(api, FlagTable.SERVICE.defaultValue(), options.port(), dns::publish);
    controller.createService(BenchOptions.SERVICE_IP);
    controller.syncReady(podIps());
    kubeApiUrl = api.url();
    dnsServer = ClusterDns.HOST + ":" + dns.port();
    Benchmark.progress("control plane on " + kubeApiUrl + " and cluster DNS on " + dnsServer + " (in this JVM) with "
        + options.replicas() + " ready endpoints");
  }

  private void startServiceProxy() {
    List<SocketAddress> pods = podIps().stream().map(ip -> SocketAddress.inetSocketAddress(options.port(), ip)).toList();
    new ServiceProxy(vertx, () -> pods).listen(BenchOptions.SERVICE_IP, options.port()).await();
    Benchmark.progress("service proxy on " + BenchOptions.SERVICE_IP + ":" + options.port() + " (in this JVM)");
  }

  private List<String> podIps() {
    return IntStream.range(0, options.replicas()).mapToObj(options::serverIp).toList();
  }

  /**
   * A fresh experiment-client JVM of ours, so that its peak RSS belongs to one type alone; {@code logSuffix}
   * keeps apart the logs of several JVMs of one type (the cold starts).
   */
  ChildJvm startClient(String type, String logSuffix) throws IOException, InterruptedException {
    List<String> command = java(options.clientHeap(), options.clientJvmArgs(), System.getProperty("java.class.path"),
        "lab.grpclb.Main");
    command.addAll(List.of("--mode", "client", "--http-host", "127.0.0.1", "--http-port", String.valueOf(options.httpPort()),
        "--target", options.clientTarget(), "--kube-api", kubeApiUrl, "--kube-token-file", kubeTokenFile.toString(),
        "--namespace", EndpointController.NAMESPACE));
    if (options.extraClientArgs().stream().noneMatch(a -> a.equals("--dns-server") || a.startsWith("--dns-server="))) {
      command.addAll(List.of("--dns-server", dnsServer)); // without it, /etc/resolv.conf's server, which has no pods
    }
    command.addAll(options.extraClientArgs());
    return startClientJvm("client for " + type, command, "client-" + type + logSuffix, CLIENT_READY);
  }

  /**
   * A fresh grpc-java peer JVM, with the client's heap and JVM flags: one channel to the address ours dials,
   * and round_robin over the pods, each call with our default deadline.
   */
  ChildJvm startPeer(String type, String logSuffix, String target, int httpPort) throws IOException, InterruptedException {
    List<String> command = java(options.clientHeap(), options.clientJvmArgs(), peerClasspath(), PEER_MAIN);
    command.addAll(List.of("--http-port", String.valueOf(httpPort), "--target", target,
        "--pods", String.join(",", podIps().stream().map(ip -> ip + ":" + options.port()).toList()),
        "--call-timeout-ms", String.valueOf(FlagTable.CALL_TIMEOUT_MS.defaultValue())));
    return startClientJvm("peer for " + type, command, "peer-" + type.replace('/', '-') + logSuffix, GrpcJavaTypes.READY);
  }

  private ChildJvm startClientJvm(String name, List<String> command, String logName, String ready)
      throws IOException, InterruptedException {
    ChildJvm client = ChildJvm.start(name, command, logDir.resolve(logName + ".log"));
    clients.add(client);
    client.awaitLog(ready, START_TIMEOUT);
    Benchmark.progress(name + " up (pid " + client.pid() + ")");
    return client;
  }

  private List<String> java(String heap, List<String> sideArgs, String classpath, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(options.jvmArgs());
    command.addAll(sideArgs);
    command.addAll(List.of("-cp", classpath, mainClass));
    return command;
  }

  /** CPU time of all server JVMs so far. */
  Duration serverCpu() {
    return servers.stream().map(ChildJvm::cpu).reduce(Duration.ZERO, Duration::plus);
  }

  /**
   * SIGTERM to every server at once (each drains and logs its total), then each one's totals: calls served (from
   * its log), CPU, peak RSS and exit code.
   */
  List<BenchTable.ServerTotal> stopServers() {
    servers.forEach(ChildJvm::terminate); // takes the last CPU and VmHWM readings first
    List<BenchTable.ServerTotal> totals = new ArrayList<>();
    for (ChildJvm server : servers) {
      int exit = server.stop();
      Matcher served = SERVED.matcher(server.read());
      long calls = -1;
      while (served.find()) {
        calls = Long.parseLong(served.group(1));
      }
      totals.add(new BenchTable.ServerTotal(server.name, calls, server.cpu(), server.vmHwmKb(), exit));
    }
    return totals;
  }

  /** Per JVM log: its blocked-thread warnings and its WARNING and SEVERE lines. */
  List<BenchTable.LogCount> logCounts() {
    List<ChildJvm> all = new ArrayList<>(servers);
    all.addAll(clients);
    return all.stream().map(jvm -> new BenchTable.LogCount(jvm.log.getFileName().toString(),
        BLOCKED_MARKERS.stream().mapToInt(jvm::count).sum(), jvm.count(" WARNING "), jvm.count(" SEVERE "))).toList();
  }

  @Override
  public void close() {
    ChildJvm.stopAll();
    vertx.close().await();
  }
}
