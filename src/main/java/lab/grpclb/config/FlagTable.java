package lab.grpclb.config;

import static lab.grpclb.config.Mode.CLIENT;
import static lab.grpclb.config.Mode.LOCAL;
import static lab.grpclb.config.Mode.SERVER;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every flag, once: its name, env variable, default, meaning and modes. The config records read their defaults
 * here, and --help ({@link UsageText}) and docs/flags.md ({@link FlagDocs}) are printed from it, so none of them
 * can say another default. {@link #ALL} is the order both show.
 */
public final class FlagTable {
  // every mode
  public static final Flag.Text MODE = text("mode", null, "server|client|local", "server, client or local",
      "what this process runs: the greeter, the experiment client, or the whole cluster on this machine", SERVER,
      CLIENT, LOCAL).shown("none: required");
  public static final Flag.Text LOG_FORMAT = text("log-format", "text", "text|json", "text|json",
      "a line of text per event, or one JSON object per line for a log pipeline", SERVER, CLIENT, LOCAL);
  public static final Flag.Text TRANSPORT = text("transport", "native", "native|nio", "native|nio",
      "the event loops' transport: Netty's native epoll where it loads (the jar carries it for Linux x86_64 and"
          + " aarch64), else the JDK's NIO; the startup line `event loops on ...` says which, and why", SERVER, CLIENT, LOCAL);

  // --mode server
  public static final Flag.Text HOST = text("host", "0.0.0.0", "ADDRESS", "an address to listen on",
      "address to bind", SERVER);
  public static final Flag.Int PORT = integer("port", 50051, 0, 65535,
      "gRPC port (also serves `grpc.health.v1.Health`)", SERVER);
  public static final Flag.Text POD_IP = text("pod-ip", null, "IP", "this pod's IP address",
      "IP put in every reply", SERVER).env("MY_POD_IP").shown("the first non-loopback address (logged)");
  public static final Flag.Int DELAY_MS = integer("delay-ms", 500, 0, 3_600_000,
      "reply delay (local mode: every pod's), a timer: no thread ever waits", SERVER, LOCAL).env("GREETER_DELAY_MS");
  public static final Flag.Int CAPACITY = integer("capacity", 0, 0, Capacity.MAX_CALLS,
      "calls a pod serves at once; later ones wait first in, first out (`/metrics`: queue length and wait). `0`:"
          + " unlimited, every call served at once", SERVER, LOCAL).shown("`0` (unlimited)");
  public static final Flag.Int QUEUE_LIMIT = workedOut("queue-limit", 0, Capacity.MAX_QUEUE_LIMIT, "unlimited",
      "with `--capacity`: calls that may wait; past them a call is refused at once with `RESOURCE_EXHAUSTED`",
      SERVER, LOCAL);
  public static final Flag.Text SERVICE_TIME = text("service-time", "fixed", "fixed|exponential|lognormal",
      "one of " + ServiceTime.wireNames(), "how long each call takes, `--delay-ms` being the mean: always the mean,"
          + " exponential (queueing theory's M/M/c), or lognormal (a long tail)", SERVER, LOCAL);
  public static final Flag.Text SERVICE_TIME_SIGMA = text("service-time-sigma", String.valueOf(ServiceTime.DEFAULT_SIGMA),
      "SIGMA", "a number from " + ServiceTime.MIN_SIGMA + " to " + (int) ServiceTime.MAX_SIGMA,
      "`lognormal`'s shape: 0.5 puts the p99 near 2.7 times the median; the mean stays `--delay-ms`", SERVER, LOCAL);
  public static final Flag.Text WORK = text("work", "timer", "timer|cpu", "timer|cpu",
      "with `--capacity`: how a call's service time is spent: a timer (nothing runs), or real CPU burnt on a pool of"
          + " `--capacity` threads, so that pods and client saturate the machine's cores for real", SERVER, LOCAL);
  public static final Flag.Int WARMUP_MS = integer("warmup-ms", 0, 0, 3_600_000,
      "a new pod is cold, as a JVM before its JIT compiles: its service times start `--warmup-factor` times"
          + " longer and fall linearly to 1x over this long", SERVER, LOCAL).shown("`0` (off)");
  public static final Flag.Text WARMUP_FACTOR = text("warmup-factor", "5", "K",
      "a number from 1 to " + (int) WarmUp.MAX_FACTOR, "how much slower a cold pod starts", SERVER, LOCAL);
  public static final Flag.Int SERVER_DRAIN_TIMEOUT_MS = integer("drain-timeout-ms", 20_000, 0, 3_600_000,
      "on SIGTERM: how long in-flight calls may take to finish", SERVER);
  public static final Flag.Text ERROR_RATE = text("error-rate", "0", "RATE", "a number from 0 to 1",
      "share of calls (0 to 1) answered at once with `--error-status` and the message `injected failure`", SERVER);
  public static final Flag.Text ERROR_STATUS = text("error-status", "UNAVAILABLE", "STATUS", "a gRPC status name",
      "the gRPC status of those calls (any status name but `OK`)", SERVER);
  public static final Flag.Int MAX_CONNECTION_AGE_MS = integer("max-connection-age-ms", 0, 0, Integer.MAX_VALUE,
      "gRFC A9 MAX_CONNECTION_AGE: a connection this old (±10 % jitter) gets GOAWAY", SERVER).shown("`0` (off)");
  public static final Flag.Int MAX_CONNECTION_AGE_GRACE_MS = integer("max-connection-age-grace-ms", 10_000, 0,
      Integer.MAX_VALUE, "then its calls in flight get this long before it is closed", SERVER);
  public static final Flag.Int MAX_CONCURRENT_STREAMS = workedOut("max-concurrent-streams", 1, Integer.MAX_VALUE,
      "max heap / 64 KiB, from 100 to 1000000 (the startup line says it): 27312 at the image's flags and `-Xmx2g`,"
          + " 10240 in deploy/server.yaml's pod",
      "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have in flight on this pod; the client queues"
          + " the rest on its side until a call ends (ours and grpc-java do), so that one client firing 100 000 calls"
          + " at once cannot swamp the pod (each held call takes ~2.9 KB of heap)", SERVER);
  public static final Flag.Int METRICS_PORT = integer("metrics-port", 9090, 0, 65535,
      "`GET /metrics` for Prometheus on this port", SERVER).shown("`9090` (`0` = off)");
  public static final Flag.Int PERMIT_KEEPALIVE_TIME_MS = integer("permit-keepalive-time-ms", 300_000, 0,
      Integer.MAX_VALUE, "gRFC A8: a client that pings more often than this (more than twice without a reply in"
          + " between) gets GOAWAY ENHANCE_YOUR_CALM `too_many_pings`", SERVER)
      .shown("`300000` (gRPC's 5 min; local mode's pods: `--keepalive-time-ms`)");
  public static final Flag.Switch PERMIT_KEEPALIVE_WITHOUT_CALLS = toggle("permit-keepalive-without-calls",
      "gRFC A8: accept pings on a connection with no call in flight (else one per 2 hours at most)", SERVER);

  // --mode client; those that say LOCAL too are read the same way there
  public static final Flag.Text HTTP_HOST = text("http-host", "0.0.0.0", "ADDRESS", "an address to listen on",
      "address to bind", CLIENT);
  public static final Flag.Int HTTP_PORT = integer("http-port", 8080, 0, 65535,
      "HTTP port of the experiment API (local mode: and of the cluster controls)", CLIENT, LOCAL);
  public static final Flag.Text TARGET = text("target", "greeter-server:50051", "host:port", "host:port",
      "what `Client` and `ClientWithReuseConn` dial", CLIENT).env("GREETER_TARGET");
  public static final Flag.Int CALL_TIMEOUT_MS = integer("call-timeout-ms", 30_000, 1, 3_600_000,
      "deadline of each call", CLIENT, LOCAL);
  public static final Flag.Int MAX_N = integer("max-n", 1_000_000, 1, 100_000_000, "largest `n` accepted", CLIENT, LOCAL);
  public static final Flag.Int MAX_CONNECTIONS = workedOut("max-connections", 1, 1_000_000,
      "half the free file descriptors, at most 5000; local mode: an eighth (a connection costs four there)",
      "`Client`: connections open at once; further calls wait", CLIENT, LOCAL);
  public static final Flag.Int MAX_IN_FLIGHT = workedOut("max-in-flight", 1, 100_000_000,
      "heap / 4 KiB (ZGC: / 8 KiB), at least 10000; under G1 (plain `java -jar`) at most 60000",
      "calls outstanding at once (each holds ~2.3 KB of heap; G1 copies them in every young pause)", CLIENT, LOCAL);
  public static final Flag.Int CONNECT_TIMEOUT_MS = integer("connect-timeout-ms", 20_000, 1, 3_600_000,
      "TCP connect plus HTTP/2 handshake; a pod that accepts TCP and never answers fails after it", CLIENT, LOCAL)
      .shown("`20000` (gRPC's minimum connect timeout)");
  public static final Flag.Int DRAIN_TIMEOUT_MS = integer("drain-timeout-ms", 10_000, 0, 3_600_000,
      "on SIGTERM or Ctrl-C: how long a running experiment's calls in flight may take to finish", CLIENT, LOCAL);
  public static final Flag.Int KEEPALIVE_TIME_MS = integer("keepalive-time-ms", 10_000, 0, 3_600_000,
      "gRFC A8: a connection that got nothing for this long while calls are in flight is sent a PING; `0` turns"
          + " keepalive off (gRPC's default; 10000 is grpc-java's smallest)", CLIENT, LOCAL);
  public static final Flag.Int KEEPALIVE_TIMEOUT_MS = integer("keepalive-timeout-ms", 5_000, 1, 3_600_000,
      "no PING ACK within this: the connection is closed and its endpoint goes TRANSIENT_FAILURE; also the"
          + " sockets' TCP_USER_TIMEOUT on epoll (gRFC A18)", CLIENT, LOCAL).shown("`5000` (gRPC's: 20000)");
  public static final Flag.Switch KEEPALIVE_WITHOUT_CALLS = toggle("keepalive-without-calls",
      "ping idle connections too (a stock server accepts that only if it permits it)", CLIENT, LOCAL);
  public static final Flag.Int MAX_DURATION_S = integer("max-duration-s", 600, 1, 86_400,
      "the longest open loop (`duration_s`) a request may ask for", CLIENT, LOCAL);
  public static final Flag.Int JIT_WARMUP_CALLS = integer("jit-warmup-calls", 40_000, 0, 1_000_000,
      "before the client serves, that many calls in bursts of 10 000 to greeters inside the same JVM, so that the"
          + " first experiment runs warm (5-8 s on 2 cores; the HTTP port is bound first and experiments asked for"
          + " meanwhile wait; Ctrl-C cuts it short); `0` turns it off", CLIENT, LOCAL);
  public static final Flag.Text RETRY_POLICY = text("retry-policy", "idempotent", "none|idempotent",
      "none or idempotent", "the balancing types: `idempotent` re-sends a call that failed UNAVAILABLE after it may"
          + " have reached a pod; `none` never does", CLIENT, LOCAL);
  public static final Flag.Int MAX_ATTEMPTS = integer("max-attempts", 2, 1, RetryPolicy.MAX_ATTEMPTS,
      "attempts per call under `idempotent` (a hedged call has `--hedging-max-attempts`)", CLIENT, LOCAL);
  public static final Flag.Int HEDGING_DELAY_MS = integer("hedging-delay-ms", 0, 0, 3_600_000,
      "the balancing types: a call with no answer this long goes to another endpoint too, and again after each"
          + " further delay; the first reply wins and the others are cancelled (gRFC A6 hedging; a request's"
          + " `hedging_delay_ms=` overrides it). A hedged call follows no `--retry-policy`. Off by default: the"
          + " write-up's bursts keep calls waiting longer than any useful delay; with 500 ms pods try 1000", CLIENT,
      LOCAL).shown("`0` (off)");
  public static final Flag.Int HEDGING_MAX_ATTEMPTS = integer("hedging-max-attempts", 2, HedgingPolicy.MIN_ATTEMPTS,
      RetryPolicy.MAX_ATTEMPTS, "attempts per hedged call, the first included (A6 gives hedging its own"
          + " maxAttempts): 2 rescues a call from one silent pod and at most doubles the load when every pod is slow",
      CLIENT, LOCAL);
  public static final Flag.Int RETRY_THROTTLE_MAX_TOKENS = integer("retry-throttle-max-tokens", 0, 0,
      RetryThrottling.MAX_TOKENS, "gRFC A6 retryThrottling, one budget per channel: each attempt failing"
          + " `UNAVAILABLE` takes a token, each reply gives back `--retry-throttle-token-ratio`; policy retries and"
          + " hedges go only while more than half the tokens are left. Off by default, as in gRPC without a service"
          + " config: a pod killed with C calls in flight would fail all but about max-tokens / 2 of them", CLIENT,
      LOCAL)
      .shown("`0` (off)");
  public static final Flag.Text RETRY_THROTTLE_TOKEN_RATIO = text("retry-throttle-token-ratio", "0.1", "RATIO",
      "a number above 0 (at most 3 decimals count)", "tokens a reply gives back (A6's example value)", CLIENT, LOCAL);
  public static final Flag.Text LB = text("lb", LbPolicy.ROUND_ROBIN.wireName(), LbPolicy.wireNames().replace(", ", "|"),
      "one of " + LbPolicy.wireNames(),
      "the balancing types' default picker (a request's `lb=` picks another)", CLIENT, LOCAL);
  public static final Flag.Int SUBSET_SIZE = integer("subset-size", 0, 0, FleetPolicy.MAX_SUBSET_SIZE,
      "random subsetting (gRFC A68) under any picker: the balancing types keep only this many endpoints, ranked by"
          + " MurmurHash3 of each address salted with `--client-id` (rendezvous hashing: a pod joining moves at most one"
          + " member); a request's `subset_size=` sets a run's", CLIENT, LOCAL).shown("`0` (off: every endpoint)");
  public static final Flag.Text CLIENT_ID = text("client-id", null, "ID", "any text",
      "this client's id in its fleet, the salt of its subset: the same id keeps the same subset", CLIENT, LOCAL)
      .shown("`$HOSTNAME-<pid>` (a pod's name on Kubernetes)");
  public static final Flag.Switch ZONE_AWARE = toggle("zone-aware",
      "zone-aware routing around any picker (Envoy's): calls stay in `--zone` while its pods can take the zone's share"
          + " of the fleet, the excess spills to the other zones by their residual capacity; EndpointSlice"
          + " `hints.forZones` win when every endpoint has some; a request's `zone_aware=true|false` sets a run's",
      CLIENT, LOCAL);
  public static final Flag.Text ZONE = text("zone", null, "ZONE", "a zone name",
      "the zone this client runs in, as the EndpointSlices' `endpoints[].zone` names it", CLIENT, LOCAL)
      .env("MY_ZONE").shown("none: zone-aware routing spreads calls by the zones' pods");
  public static final Flag.Text ZONES = text("zones", null, "a,b,c", "zone names, comma-separated",
      "the zones the client fleet spreads over, as many clients in each (one client cannot see its fleet); local"
          + " mode: also the pods' zones, each new pod in the zone with the fewest (round robin on a scale-up), the"
          + " client in the first unless `--zone` says", CLIENT, LOCAL)
      .shown("the zones of the endpoints and `--zone`; local mode: none (no zones)");
  public static final Flag.Int EWMA_DECAY_MS = integer("ewma-decay-ms", 10_000, 1, 3_600_000,
      "`peak_ewma`: how fast the RTT estimate forgets (Linkerd's default)", CLIENT, LOCAL);
  public static final Flag.Int EWMA_INITIAL_RTT_MS = integer("ewma-initial-rtt-ms", 30, 1, 3_600_000,
      "`peak_ewma`: where the RTT estimate starts (Linkerd's default)", CLIENT, LOCAL);
  public static final Flag.Int WRR_BLACKOUT_MS = integer("wrr-blackout-ms", 10_000, 0, 3_600_000,
      "`weighted_round_robin` (gRFC A58): an endpoint's weight counts once its pod has reported load for this long"
          + " since its first usable report (and again after an expiry or a reconnect); until then it gets the mean"
          + " weight", CLIENT, LOCAL);
  public static final Flag.Int WRR_EXPIRATION_MS = integer("wrr-expiration-ms", 180_000, 1, 86_400_000,
      "`weighted_round_robin`: a weight with no report for this long is dropped, and the blackout starts again",
      CLIENT, LOCAL);
  public static final Flag.Int WRR_UPDATE_MS = integer("wrr-update-ms", 1_000, WeightedRoundRobinConfig.MIN_UPDATE_MS,
      3_600_000, "`weighted_round_robin`: how often the picker takes fresh weights (A58's minimum: "
          + WeightedRoundRobinConfig.MIN_UPDATE_MS + ")", CLIENT, LOCAL);
  public static final Flag.Text WRR_ERROR_PENALTY = text("wrr-error-penalty", "1.0", "PENALTY",
      "a number, 0 or more (at most 10 decimals)",
      "`weighted_round_robin`: weight = qps / (utilization + eps / qps x this); `0` ignores errors", CLIENT, LOCAL);
  public static final Flag.Switch WRR_OOB = toggle("wrr-oob",
      "`weighted_round_robin`: load reports out of band (ORCA's `OpenRcaService/StreamCoreMetrics` on each"
          + " connection) instead of in each call's trailers", CLIENT, LOCAL);
  public static final Flag.Int WRR_OOB_PERIOD_MS = integer("wrr-oob-period-ms", 10_000, 1, 3_600_000,
      "with `--wrr-oob`: the report period asked of each pod (a pod may report less often)", CLIENT, LOCAL);
  public static final Flag.Int SLOW_START_WINDOW_MS = integer("slow-start-window-ms", 0, 0, 3_600_000,
      "`round_robin` and `least_request` (Envoy's `slow_start_config`): an endpoint that joins the Service after the"
          + " first ones takes a share that grows over this long from when it turns READY", CLIENT, LOCAL)
      .shown("`0` (off)");
  public static final Flag.Text SLOW_START_AGGRESSION = text("slow-start-aggression", "1.0", "A",
      "a number above 0 (at most 10 decimals)",
      "slow start's curve: weight x (time READY / window)^(1 / this); above 1 ramps faster at first", CLIENT, LOCAL);
  public static final Flag.Int SLOW_START_MIN_WEIGHT_PERCENT = integer("slow-start-min-weight-percent", 10, 0, 100,
      "slow start's floor, in % of the full weight", CLIENT, LOCAL);
  public static final Flag.Switch OUTLIER_EJECTION = toggle("outlier-ejection",
      "eject endpoints that fail too often (gRFC A50, failure percentage)", CLIENT, LOCAL);
  public static final Flag.Int EJECTION_INTERVAL_MS = integer("ejection-interval-ms", 10_000, 1, 3_600_000,
      "outlier ejection's sweep interval", CLIENT, LOCAL);
  public static final Flag.Int EJECTION_THRESHOLD = integer("ejection-threshold", 85, 0, 100,
      "failure % above which an endpoint is ejected", CLIENT, LOCAL);
  public static final Flag.Int EJECTION_BASE_MS = integer("ejection-base-ms", 30_000, 1, 3_600_000,
      "base ejection time, times the ejections so far (at most 300 s)", CLIENT, LOCAL);
  public static final Flag.Int EJECTION_MIN_HOSTS = integer("ejection-min-hosts", 5, 0, 100_000,
      "endpoints that must have the request volume for a sweep to eject", CLIENT, LOCAL);
  public static final Flag.Int EJECTION_REQUEST_VOLUME = integer("ejection-request-volume", 50, 0, 100_000_000,
      "calls in an interval that make an endpoint count", CLIENT, LOCAL);
  public static final Flag.Text HEALTH_CHECK_SERVICE = text("health-check-service", "experiment.Greeter", "NAME|off",
      "a gRPC service name, or off", "gRFC A17, the balancing types: each READY connection watches"
          + " `grpc.health.v1.Health` for this service and only SERVING endpoints are picked (NOT_SERVING keeps the"
          + " connection; no health service counts as healthy). On so that a pod that says it cannot serve gets no new"
          + " call at once, before its readiness probe fails; `off` trusts every READY connection", CLIENT, LOCAL);
  public static final Flag.Text KUBE_API = text("kube-api", null, "URL", "an http(s)://host:port URL",
      "`ClientWithKubeResolver`'s API server; `http://` only when given explicitly (local mode, tests)", CLIENT)
      .shown("`https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`; none outside a pod");
  public static final Flag.Text KUBE_TOKEN_FILE = text("kube-token-file", KubeConfig.SERVICE_ACCOUNT + "token", "FILE",
      "a file", "bearer token, read again for every request (projected tokens rotate)", CLIENT);
  public static final Flag.Text KUBE_CA_FILE = text("kube-ca-file", KubeConfig.SERVICE_ACCOUNT + "ca.crt", "FILE",
      "a file", "the API server's certificate is verified against it", CLIENT);
  public static final Flag.Text NAMESPACE = text("namespace", null, "NS", "a namespace",
      "where the Service lives", CLIENT).shown("the service account's namespace file, else `default`");
  public static final Flag.Text SERVICE = text("service", "greeter-server", "NAME", "a Service name",
      "the Service whose pods are balanced over", CLIENT);
  public static final Flag.Text SERVICE_PORT = text("service-port", "grpc", "PORT", "the Service's port name or number",
      "port name or number in the EndpointSlices; the first port when none matches", CLIENT);
  public static final Flag.Text DNS_NAME = text("dns-name", null, "NAME", "a DNS name",
      "`ClientWithDnsResolver`: the headless Service's name, resolved to A records; the pods' port is `--target`'s",
      CLIENT, LOCAL).shown("`" + DnsConfig.HEADLESS_SERVICE + ".<namespace>.svc.cluster.local`");
  public static final Flag.Text DNS_SERVER = text("dns-server", null, "IP[:port]", "an IP address, optionally with :port",
      "the DNS server `ClientWithDnsResolver` asks", CLIENT, LOCAL)
      .shown("the first `nameserver` in /etc/resolv.conf (kube-dns in a pod); local mode: its own DNS");
  public static final Flag.Int DNS_REFRESH_S = integer("dns-refresh-s", 30, 1, 86_400,
      "resolve again this often", CLIENT, LOCAL);
  public static final Flag.Int DNS_MIN_INTERVAL_S = integer("dns-min-interval-s", 30, 0, 86_400,
      "and when a connection fails, but never more often than this", CLIENT, LOCAL).shown("`30` (grpc-go's)");
  public static final Flag.Text API_TOKEN = text("api-token", null, "TOKEN",
      "a secret of at least " + ApiAccess.MIN_TOKEN_LENGTH + " characters",
      "every route but `/healthz`, `/metrics` and the page's files then needs `Authorization: Bearer TOKEN` ("
          + ApiAccess.MIN_TOKEN_LENGTH + " characters at least: `openssl rand -hex 16`); `--report` sends it. Prefer"
          + " the env variable: a flag shows in `ps`", CLIENT, LOCAL)
      .env("LAB_API_TOKEN").shown("none (open: one startup warning)");
  public static final Flag.Text ALLOWED_HOSTS = text("allowed-hosts", null, "a,b", "host names, comma-separated",
      "DNS names (no port) the API answers to besides `localhost`; IP addresses always pass, and any name once"
          + " `--api-token` is set (a DNS-rebinding page names its own host)", CLIENT, LOCAL);

  // --mode local
  public static final Flag.Int REPLICAS = integer("replicas", 3, 0, LocalConfig.MAX_REPLICAS,
      "greeter pods, on 127.0.0.2, 127.0.0.3, ...; 0 to " + LocalConfig.MAX_REPLICAS + ", as `/cluster/scale`", LOCAL);
  public static final Flag.Int POD_PORT = integer("port", PORT.defaultValue(), 1, 65535,
      "the gRPC port every pod and the service address listen on", LOCAL);
  public static final Flag.Int API_PORT = integer("api-port", 6443, 0, 65535,
      "the Kubernetes-API-shaped control plane, HTTPS on 127.0.0.1 with a CA made at start", LOCAL);
  public static final Flag.Int DNS_PORT = integer("dns-port", 5353, 0, 65535,
      "the cluster DNS for the headless Service (UDP and TCP on 127.0.0.1); if taken, a warning names the flag and"
          + " only `ClientWithDnsResolver` is unavailable", LOCAL);
  public static final Flag.Int CLIENTS = integer("clients", 1, 1, LocalConfig.MAX_CLIENTS,
      "experiment clients, each with its own channels, balancer, discovery and shared connection through the service"
          + " address (named client-0, client-1..., in the zones of `--zones` in turn); an experiment sends call i to"
          + " client i mod M, and its answer adds `per_client`, `connections_per_pod` and `load_max_over_mean`", LOCAL);
  public static final Flag.Int CROSS_ZONE_MS = integer("cross-zone-ms", 0, 0, 60_000,
      "with `--zones`: a call whose client's zone is not its pod's waits this long more each way (2x per call),"
          + " added by the pod as delay before it serves the call; local mode has one loopback, no network between"
          + " zones", LOCAL).shown("`0` (off)");
  public static final Flag.Text OUT = text("out", "out", "DIR", "a directory",
      "with `--report`: where `report.md`, its SVG charts and `report.html` go", LOCAL);
  public static final Flag.Text KUBECONFIG = text("kubeconfig", null, "FILE", "a file path",
      "the kubeconfig written for kubectl while it runs: the control plane's address and CA, and a token that may change"
          + " objects; owner-only (0600), never `$KUBECONFIG`, a file it did not write is refused",
      LOCAL).shown("`out/kubeconfig` (under `--out`)");
  public static final Flag.Switch REPORT = new Flag.Switch("report", "[NAME]",
      "run the write-up's experiments, print the Markdown, write the files, drain and exit; a NAME runs one"
          + " experiment beyond it instead: " + ReportKind.names(), modes(LOCAL));
  public static final Flag.Int RUNS = integer("runs", 3, 1, 20,
      "with `--report`: runs per measured point; tables show the median and min–max", LOCAL);

  /** In the order --help and docs/flags.md show them. */
  public static final List<Flag> ALL = List.of(MODE, LOG_FORMAT, TRANSPORT,
      HOST, PORT, POD_IP, DELAY_MS, CAPACITY, QUEUE_LIMIT, SERVICE_TIME, SERVICE_TIME_SIGMA, WORK, WARMUP_MS,
      WARMUP_FACTOR, SERVER_DRAIN_TIMEOUT_MS, ERROR_RATE, ERROR_STATUS, MAX_CONNECTION_AGE_MS,
      MAX_CONNECTION_AGE_GRACE_MS, MAX_CONCURRENT_STREAMS, METRICS_PORT, PERMIT_KEEPALIVE_TIME_MS,
      PERMIT_KEEPALIVE_WITHOUT_CALLS,
      HTTP_HOST, HTTP_PORT, TARGET, CALL_TIMEOUT_MS, MAX_N, MAX_CONNECTIONS, MAX_IN_FLIGHT, CONNECT_TIMEOUT_MS,
      DRAIN_TIMEOUT_MS, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, KEEPALIVE_WITHOUT_CALLS, MAX_DURATION_S,
      JIT_WARMUP_CALLS, RETRY_POLICY, MAX_ATTEMPTS, HEDGING_DELAY_MS, HEDGING_MAX_ATTEMPTS, RETRY_THROTTLE_MAX_TOKENS,
      RETRY_THROTTLE_TOKEN_RATIO, LB, SUBSET_SIZE, CLIENT_ID, ZONE_AWARE, ZONE, ZONES, EWMA_DECAY_MS,
      EWMA_INITIAL_RTT_MS, WRR_BLACKOUT_MS, WRR_EXPIRATION_MS, WRR_UPDATE_MS, WRR_ERROR_PENALTY, WRR_OOB,
      WRR_OOB_PERIOD_MS, SLOW_START_WINDOW_MS, SLOW_START_AGGRESSION, SLOW_START_MIN_WEIGHT_PERCENT, OUTLIER_EJECTION, EJECTION_INTERVAL_MS, EJECTION_THRESHOLD, EJECTION_BASE_MS,
      EJECTION_MIN_HOSTS, EJECTION_REQUEST_VOLUME, HEALTH_CHECK_SERVICE, KUBE_API, KUBE_TOKEN_FILE, KUBE_CA_FILE, NAMESPACE, SERVICE,
      SERVICE_PORT, DNS_NAME, DNS_SERVER, DNS_REFRESH_S, DNS_MIN_INTERVAL_S, API_TOKEN, ALLOWED_HOSTS,
      REPLICAS, POD_PORT, API_PORT, DNS_PORT, CLIENTS, CROSS_ZONE_MS, OUT, KUBECONFIG, REPORT, RUNS);

  /** How flags are given, for the top of --help and docs/flags.md. */
  public static final String RULES = "A flag is `--name value` or `--name=value` (a switch stands alone) and wins over"
      + " its env variable. A bad flag or value, or a flag missing its value, prints one line naming it and the"
      + " expected form, exit code 2; `--help` or `-h` prints this usage, exit code 0.";

  private FlagTable() {
  }

  /** The flags a mode reads, in table order. */
  public static List<Flag> of(Mode mode) {
    return ALL.stream().filter(flag -> flag.modes().contains(mode)).toList();
  }

  /**
   * The sections --help and docs/flags.md show, in order: the flags of every mode, then each mode's own; local
   * mode's section lists only what the client lacks, and names the client's flags it also reads.
   */
  public static List<FlagGroup> groups() {
    List<FlagGroup> groups = new ArrayList<>();
    groups.add(new FlagGroup("Every mode", ALL.stream().filter(FlagTable::inEveryMode).toList(), List.of()));
    for (Mode mode : Mode.values()) {
      List<Flag> flags = of(mode).stream().filter(f -> !inEveryMode(f)).toList();
      Predicate<Flag> clients = f -> mode == LOCAL && f.modes().contains(CLIENT);
      groups.add(new FlagGroup("`--mode " + mode.wireName() + "`: " + mode.title(),
          flags.stream().filter(clients.negate()).toList(), flags.stream().filter(clients).toList()));
    }
    return groups;
  }

  private static boolean inEveryMode(Flag flag) {
    return flag.modes().size() == Mode.values().length;
  }

  private static Flag.Int integer(String name, int defaultValue, int min, int max, String meaning, Mode... modes) {
    return new Flag.Int(name, null, defaultValue, min, max, "`" + defaultValue + "`", meaning, modes(modes));
  }

  /** An integer whose default the code works out, as {@code shown} says. */
  private static Flag.Int workedOut(String name, int min, int max, String shown, String meaning, Mode... modes) {
    return new Flag.Int(name, null, null, min, max, shown, meaning, modes(modes));
  }

  private static Flag.Text text(String name, String defaultValue, String placeholder, String expected, String meaning,
                                Mode... modes) {
    return new Flag.Text(name, null, defaultValue, placeholder, expected,
        defaultValue == null ? "none" : "`" + defaultValue + "`", meaning, modes(modes));
  }

  private static Flag.Switch toggle(String name, String meaning, Mode... modes) {
    return new Flag.Switch(name, "", meaning, modes(modes));
  }

  private static Set<Mode> modes(Mode... modes) {
    return Collections.unmodifiableSet(EnumSet.copyOf(Arrays.asList(modes)));
  }
}
