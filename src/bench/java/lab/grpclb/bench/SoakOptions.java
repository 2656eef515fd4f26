package lab.grpclb.bench;

import java.time.Duration;

/** What {@code bench/soak.sh [--flag value...]} was asked to do. */
record SoakOptions(Duration duration, int n, int delayMs, int otherEvery, int minReplicas, int maxReplicas, int port,
                   int httpPort, long seed, boolean freezes, int callTimeoutMs, int hedgingDelayMs,
                   int hedgingMaxAttempts) {

  static final String USAGE = """
      usage: bench/soak.sh [flags]                  (env SKIP_BUILD=1: use target/grpc-lb-lab.jar as it is)
        --minutes 10          how long the chaos lasts (decimals allowed; or --seconds S)
        --n 3000              calls per burst
        --delay-ms 50         the pods' reply delay (a slowed pod replies 10 times slower for a few seconds)
        --other-every 5       every k-th burst is Client or ClientWithReuseConn, in turn (0: only ClientWithKubeResolver)
        --min-replicas 2      the chaos scales the Deployment between these two counts
        --max-replicas 6
        --port 50051          the pods' gRPC port (pods on 127.0.0.2+, the service on 127.0.0.250)
        --http-port 0         the experiment client's port on 127.0.0.1 (0: any free one; printed at the start)
        --seed S              the chaos's random seed (default: a new one, printed), to replay a schedule
        --freezes on          freeze a pod now and then, listed ready 1-4 s, half of them unfrozen again (off: none)
        --call-timeout-ms 5000  the client's call deadline: what a call into a frozen pod waits without hedging
        --hedging-delay-ms 1000 ClientWithKubeResolver hedges a call with no answer this long to another pod (0: off;
                                keepalive alone notices a frozen pod in 15 s, past the deadline)
        --hedging-max-attempts 3  attempts per hedged call: a call whose first attempt dies with a killed pod and
                                whose hedge lands in a frozen one needs a third""";

  static SoakOptions defaults() {
    return new SoakOptions(Duration.ofMinutes(10), 3000, 50, 5, 2, 6, 50051, 0, System.nanoTime(), true, 5_000, 1_000, 3);
  }

  SoakOptions withDuration(Duration duration) {
    return new SoakOptions(duration, n, delayMs, otherEvery, minReplicas, maxReplicas, port, httpPort, seed, freezes,
        callTimeoutMs, hedgingDelayMs, hedgingMaxAttempts);
  }

  SoakOptions withPort(int port) {
    return new SoakOptions(duration, n, delayMs, otherEvery, minReplicas, maxReplicas, port, httpPort, seed, freezes,
        callTimeoutMs, hedgingDelayMs, hedgingMaxAttempts);
  }

  SoakOptions withFreezes(boolean freezes) {
    return new SoakOptions(duration, n, delayMs, otherEvery, minReplicas, maxReplicas, port, httpPort, seed, freezes,
        callTimeoutMs, hedgingDelayMs, hedgingMaxAttempts);
  }

  static SoakOptions parse(String[] args) {
    SoakOptions o = defaults();
    Duration duration = o.duration;
    int n = o.n;
    int delayMs = o.delayMs;
    int otherEvery = o.otherEvery;
    int minReplicas = o.minReplicas;
    int maxReplicas = o.maxReplicas;
    int port = o.port;
    int httpPort = o.httpPort;
    long seed = o.seed;
    boolean freezes = o.freezes;
    int callTimeoutMs = o.callTimeoutMs;
    int hedgingDelayMs = o.hedgingDelayMs;
    int hedgingMaxAttempts = o.hedgingMaxAttempts;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new BenchOptions.Usage(null);
      }
      if (!arg.startsWith("--")) {
        throw new BenchOptions.Usage("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new BenchOptions.Usage("--" + name + " needs a value");
      }
      switch (name) {
        case "minutes" -> duration = Duration.ofMillis(Math.round(decimal(name, value, 0.05, 10_000) * 60_000));
        case "seconds" -> duration = Duration.ofSeconds(integer(name, value, 3, 600_000));
        case "n" -> n = integer(name, value, 1, 1_000_000);
        case "delay-ms" -> delayMs = integer(name, value, 0, 60_000);
        case "other-every" -> otherEvery = integer(name, value, 0, 1_000);
        case "min-replicas" -> minReplicas = integer(name, value, 1, 100);
        case "max-replicas" -> maxReplicas = integer(name, value, 1, 100);
        case "port" -> port = integer(name, value, 1, 65535);
        case "http-port" -> httpPort = integer(name, value, 0, 65535);
        case "seed" -> seed = longValue(name, value);
        case "freezes" -> freezes = onOff(name, value);
        case "call-timeout-ms" -> callTimeoutMs = integer(name, value, 1, 3_600_000);
        case "hedging-delay-ms" -> hedgingDelayMs = integer(name, value, 0, 3_600_000);
        case "hedging-max-attempts" -> hedgingMaxAttempts = integer(name, value, 2, 5);
        default -> throw new BenchOptions.Usage("unknown flag --" + name + "; valid: --minutes, --seconds, --n, --delay-ms, "
            + "--other-every, --min-replicas, --max-replicas, --port, --http-port, --seed, --freezes, --call-timeout-ms, "
            + "--hedging-delay-ms, --hedging-max-attempts");
      }
    }
    if (minReplicas > maxReplicas) {
      throw new BenchOptions.Usage("--min-replicas (" + minReplicas + ") must not exceed --max-replicas (" + maxReplicas + ")");
    }
    return new SoakOptions(duration, n, delayMs, otherEvery, minReplicas, maxReplicas, port, httpPort, seed, freezes,
        callTimeoutMs, hedgingDelayMs, hedgingMaxAttempts);
  }

  private static boolean onOff(String name, String raw) {
    return switch (raw) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new BenchOptions.Usage("--" + name + " must be on or off, got '" + raw + "'");
    };
  }

  private static double decimal(String name, String raw, double min, double max) {
    try {
      double value = Double.parseDouble(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new BenchOptions.Usage("--" + name + " must be a number from " + min + " to " + max + ", got '" + raw + "'");
  }

  private static long longValue(String name, String raw) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new BenchOptions.Usage("--" + name + " must be an integer, got '" + raw + "'");
    }
  }

  private static int integer(String name, String raw, int min, int max) {
    return BenchOptions.bounded("--" + name, raw, min, max);
  }
}
