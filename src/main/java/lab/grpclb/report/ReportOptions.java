package lab.grpclb.report;

import java.nio.file.Path;
import java.util.List;
import lab.grpclb.config.SlowStartConfig;

/**
 * What {@code --mode local --report} measures: the write-up's sizes by default; tests pass smaller ones.
 *
 * @param ns            the sizes of the timing tables (sections 1 and 2)
 * @param spreadN       the size whose count_per_ip section 1 shows (Client and ClientWithReuseConn)
 * @param splitN        the size whose count_per_ip section 2 shows (ClientWithReuseConn and ClientWithKubeResolver)
 * @param stepN         the size of each scaling step's run (section 3)
 * @param killN         the size of the run a pod is deleted in the middle of
 * @param killAfterMs   how long after that run starts the pod is deleted
 * @param warmupN       the size of each client type's warm-up run, discarded
 * @param runs          how many times each point of sections 1, 2 and 4 runs; the tables show the median and range
 * @param steadyRate    the open loop of section 4 (steady load): calls per second, for every client type
 * @param steadySeconds the open loop's duration
 * @param pickerRate    the open loop of the slow-pod and erroring-pod experiments, calls per second
 * @param pickerSeconds its duration per run
 * @param equalConcurrency the closed loop of the equal-pods experiment: calls in flight
 * @param equalN        its calls per run
 * @param dnsSeconds    the open loops of the dns and max-age experiments
 * @param scaleAtS      when the dns experiment scales up, seconds into its run
 * @param maxAgeMs      the servers' max connection age in the max-age experiment
 * @param rolloutSeconds the open loop of the rollout experiment
 * @param outDir        where report.md, report.html and the charts go
 * @param silentPod     the silent-pod experiment's load and timeline
 * @param capacity      the capacity experiments' scales (hot-spot, equal-pods-variance, heterogeneous)
 * @param coldStart     the cold-start experiment's pods, load and warm-up
 * @param fleet         the fleet experiment's pods, fleet sizes and load
 * @param zones         the zones experiment's pods, clients and load
 * @param fleetScale    the fleet-scale experiment's fleet, scale and load
 */
public record ReportOptions(List<Integer> ns, int spreadN, int splitN, int stepN, int killN, long killAfterMs,
                            int warmupN, int runs, int steadyRate, int steadySeconds, int pickerRate,
                            int pickerSeconds, int equalConcurrency, int equalN, int dnsSeconds, int scaleAtS,
                            int maxAgeMs, int rolloutSeconds, Path outDir, SilentPodLoad silentPod,
                            CapacityLoads capacity, ColdStartLoad coldStart, FleetLoad fleet, ZonesLoad zones,
                            FleetScaleLoad fleetScale) {
  public static final int DEFAULT_RUNS = 3;

  /**
   * The fleet experiment: {@code pods} pods of {@code calls} at once in {@code serviceMs} (fixed), a Poisson open loop
   * at {@code percent} % of their capacity for {@code seconds}, through each fleet size of {@code clients}, each point
   * {@code runs} times (each a run of its own, so that one-connection clients re-pick their pod in between).
   */
  public record FleetLoad(int pods, List<Integer> clients, int calls, int serviceMs, int percent, int seconds,
                          int runs) {
    /**
     * 10 pods of 4 calls at once in 50 ms (800 calls/s in all) at 50 %, 5 s per run, 3 runs, for 1, 3, 10 and 50
     * clients: the sizes, and 3 runs the fewest that give the noise rule a range.
     */
    public static final FleetLoad FULL = new FleetLoad(10, List.of(1, 3, 10, 50), 4, 50, 50, 5, 3);

    public FleetLoad {
      clients = List.copyOf(clients);
      if (runs < 2) {
        throw new IllegalArgumentException("a fleet point needs 2 runs at least, for a range: " + runs);
      }
    }

    /** Calls per second of the open loop. */
    public double rate() {
      return percent / 100.0 * pods * calls * 1000.0 / serviceMs;
    }
  }

  /**
   * The fleet-scale experiment: {@code clients} clients on {@code podsBefore} pods, a Poisson open loop of {@code rate}
   * calls/s for {@code seconds}, the pods scaled to {@code podsAfter} {@code scaleAtS} into it; a {@code countS} run
   * before and after it counts the connections; "at the end" is the last {@code tailS} seconds; the max connection
   * age when on is {@code maxAgeMs}; {@code kinds} the ways of connecting, by their labels in the fleet experiment.
   */
  public record FleetScaleLoad(int clients, int podsBefore, int podsAfter, int rate, int scaleAtS, int seconds,
                               int countS, int tailS, int maxAgeMs, List<String> kinds) {
    /**
     * 50 clients, 10 → 15 pods 3 s into 28 s at 2 000 calls/s (133 a second per pod after the scale, so round robin's
     * counts vary a few %, well inside 10 %), the last 5 s, max age 10 s (two reconnections after the scale), every
     * way of connecting: the sizes.
     */
    public static final FleetScaleLoad FULL = new FleetScaleLoad(50, 10, 15, 2000, 3, 28, 2, 5, 10_000,
        Fleet.CASES.stream().map(Fleet.ClientKind::label).toList());

    public FleetScaleLoad {
      kinds = List.copyOf(kinds);
      if (podsAfter <= podsBefore || scaleAtS < 1 || tailS < 1 || seconds < scaleAtS + Math.max(tailS,
          FleetScale.HELD_S)) {
        throw new IllegalArgumentException("a fleet scale needs more pods after than before, a scale 1 s in or later,"
            + " and room after it for " + FleetScale.HELD_S + " even seconds and the last " + tailS);
      }
      List<String> known = Fleet.CASES.stream().map(Fleet.ClientKind::label).toList();
      if (kinds.isEmpty() || !known.containsAll(kinds)) {
        throw new IllegalArgumentException("fleet-scale's kinds are among " + known + ": " + kinds);
      }
    }
  }

  /**
   * The zones experiment: {@code pods} pods and {@code clients} clients spread over the zones, replying after
   * {@code delayMs}, a Poisson open loop of {@code rate} calls/s for {@code seconds}, each case {@code runs} times.
   */
  public record ZonesLoad(int pods, int clients, int rate, int delayMs, int seconds, int runs) {
    /** 6 pods and 6 clients (2 of each per zone of 3), 300 calls/s at 20 ms, 3 runs of 5 s per case. */
    public static final ZonesLoad FULL = new ZonesLoad(6, 6, 300, 20, 5, 3);

    public ZonesLoad {
      if (runs < 2) {
        throw new IllegalArgumentException("a zones case needs 2 runs at least, for a range: " + runs);
      }
    }
  }

  /**
   * The silent-pod experiment: an open loop of {@code rate} calls/s for {@code seconds}; {@code freezeAtS} into it
   * one pod freezes and stays listed ready for {@code noticedMs}; once per case.
   */
  public record SilentPodLoad(int rate, int seconds, int freezeAtS, int noticedMs, List<SilentPod.Case> cases) {
    /** 1 000 calls/s for 60 s, the freeze 10 s in, listed for the node-monitor grace period (40 s), every case. */
    public static final SilentPodLoad FULL = new SilentPodLoad(1000, 60, 10, 40_000, SilentPod.CASES);
  }

  /**
   * One capacity experiment's scale: {@code calls} a pod serves at once (heterogeneous: the unit of its 1:1:2:4), each
   * call taking {@code serviceMs} on average (the pods' delay while it runs), open loops of {@code seconds}, the
   * pods' queues read every {@code sampleMs}. Queueing depends on the load's share of capacity and on c, not on the
   * time scale, so a shorter service time buys more calls, and tails with more samples, in the same minutes.
   */
  public record CapacityLoad(int calls, int serviceMs, int seconds, int sampleMs) {
    /** Calls per second that keep {@code slots} slots busy: slots / service time. */
    public double ratePerS(int slots) {
      return slots * 1000.0 / serviceMs;
    }
  }

  /** The three capacity experiments' scales. */
  public record CapacityLoads(CapacityLoad hotSpot, CapacityLoad variance, CapacityLoad heterogeneous) {
    /**
     * hot-spot at the write-up's 500 ms, 50 calls per pod (300 calls/s for 3 pods), 8 s per run; the picker
     * experiments at 50 ms with small pods (c = 4; heterogeneous 4:4:8:16), where queueing weighs most: 20 s of
     * 320 calls/s (5 pods at 80 %) and 10 s of 512 calls/s (4 pods, 32 slots, at 80 %).
     */
    public static final CapacityLoads FULL = new CapacityLoads(new CapacityLoad(50, 500, 8, 100),
        new CapacityLoad(4, 50, 20, 100), new CapacityLoad(4, 50, 10, 100));
  }

  /**
   * The cold-start experiment: pods replying after {@code delayMs}, {@code capacity} calls at once (fixed service
   * time), carry an open loop of {@code rate} calls/s, at 3 pods for {@code steadySeconds}, then for {@code seconds}
   * from a scale to 6 whose new pods start {@code warmUpFactor} times slower, warm after {@code warmUpMs}; slow start's
   * window (on) is {@code windowMs}. The run after the scale outlasts the warm-up, so every pod is warm when a case
   * ends and the next one starts from warm pods.
   */
  public record ColdStartLoad(int rate, int steadySeconds, int seconds, int delayMs, int capacity, int warmUpMs,
                              double warmUpFactor, List<SlowStartConfig> ramps) {
    /** Envoy's slow start at its defaults (aggression 1, a minimum weight of 10 %) over this window. */
    public static SlowStartConfig envoyDefaults(int windowMs) {
      return new SlowStartConfig(windowMs, 1, 10);
    }

    /**
     * A ramp that keeps a cold pod's first calls out of its p99: squared (aggression 0.5) from a 1 % floor, so a new
     * pod gets a twenty-fifth of its weight a fifth into the window where Envoy's defaults give it a fifth.
     */
    public static SlowStartConfig steep(int windowMs) {
      return new SlowStartConfig(windowMs, 0.5, 1);
    }

    /**
     * 150 calls/s on pods of 4 calls at once in 50 ms (80 calls/s each: 3 pods 63 % busy, 6 pods 31 %, spare enough
     * that a stall of the machine drains fast); new pods 5x slower at first (--warmup-factor's default: 16 calls/s,
     * against an equal share of 25), warm after 5 s, as a JVM's first seconds; slow start off, at Envoy's defaults and
     * steep, each over 20 s; 10 s steady, 30 s from the scale. With a warm-up of 20 s instead no ramp met the target:
     * a new pod serves slower than 1.5x the steady p99 for 17 of its first 30 s, and a p99 hides only 1 % of calls.
     */
    public static final ColdStartLoad FULL = new ColdStartLoad(150, 10, 30, 50, 4, 5_000, 5,
        List.of(SlowStartConfig.OFF, envoyDefaults(20_000), steep(20_000)));

    public ColdStartLoad {
      ramps = List.copyOf(ramps);
      if (seconds * 1000L < warmUpMs) {
        throw new IllegalArgumentException("the run after the scale (" + seconds + " s) must outlast the warm-up ("
            + warmUpMs + " ms), so that the next case starts from warm pods");
      }
      if (ramps.isEmpty() || ramps.get(0).on() || ramps.stream().skip(1).anyMatch(ramp -> !ramp.on())) {
        throw new IllegalArgumentException("the cases are slow start off first, then ramps that are on: " + ramps);
      }
    }
  }

  /** Every size but the silent pod's, the capacity experiments' and the cold start's, which are their FULL ones. */
  public ReportOptions(List<Integer> ns, int spreadN, int splitN, int stepN, int killN, long killAfterMs,
                       int warmupN, int runs, int steadyRate, int steadySeconds, int pickerRate,
                       int pickerSeconds, int equalConcurrency, int equalN, int dnsSeconds, int scaleAtS,
                       int maxAgeMs, int rolloutSeconds, Path outDir) {
    this(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds, pickerRate,
        pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        SilentPodLoad.FULL, CapacityLoads.FULL, ColdStartLoad.FULL, FleetLoad.FULL,
        ZonesLoad.FULL, FleetScaleLoad.FULL);
  }

  /** The same options with another silent-pod load (tests use a tiny one). */
  public ReportOptions withSilentPod(SilentPodLoad load) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        load, capacity, coldStart, fleet, zones, fleetScale);
  }

  /** The same options with other capacity experiments' scales (tests use tiny ones). */
  public ReportOptions withCapacity(CapacityLoads loads) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        silentPod, loads, coldStart, fleet, zones, fleetScale);
  }

  /** The same options with another cold-start load (tests use a small one). */
  public ReportOptions withColdStart(ColdStartLoad load) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        silentPod, capacity, load, fleet, zones, fleetScale);
  }

  /** The same options with another fleet load (tests use a small one). */
  public ReportOptions withFleet(FleetLoad load) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        silentPod, capacity, coldStart, load, zones, fleetScale);
  }

  /** The same options with another zones load (tests use a small one). */
  public ReportOptions withZones(ZonesLoad load) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        silentPod, capacity, coldStart, fleet, load, fleetScale);
  }

  /** The same options with another fleet-scale load (tests use a small one). */
  public ReportOptions withFleetScale(FleetScaleLoad load) {
    return new ReportOptions(ns, spreadN, splitN, stepN, killN, killAfterMs, warmupN, runs, steadyRate, steadySeconds,
        pickerRate, pickerSeconds, equalConcurrency, equalN, dnsSeconds, scaleAtS, maxAgeMs, rolloutSeconds, outDir,
        silentPod, capacity, coldStart, fleet, zones, load);
  }

  /**
   * The write-up's experiments: n = 1000, 2000, 3000, 10 000; 2000 calls per scaling step, 10 000 for the kill;
   * then 1 000 calls per second for 10 s (500 calls in flight at the 500 ms delay); the pickers' experiments at
   * 1 000 calls/s for 10 s, and a closed loop of 300 for 6 000 calls (10 s at 500 ms); 60 s open loops for DNS (the
   * scale 10 s in) and for a 10 s max connection age; 20 s for each rollout.
   */
  public static ReportOptions writeup(Path outDir, int runs) {
    return new ReportOptions(List.of(1000, 2000, 3000, 10_000), 2000, 10_000, 2000, 10_000, 100, 1000, runs, 1000, 10,
        1000, 10, 300, 6000, 60, 10, 10_000, 20, outDir);
  }
}
