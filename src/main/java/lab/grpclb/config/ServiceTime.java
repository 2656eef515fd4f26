package lab.grpclb.config;

import java.util.random.RandomGenerator;

/**
 * How long a pod works on one call, around a mean ({@code --delay-ms}): always the mean, exponential (the M in
 * M/M/c), or lognormal with shape {@code sigma} (the long right tail measured service times usually have). Every
 * shape keeps the mean the mean, so changing the shape never changes the load a pod can carry, only how it queues.
 * It lives in config, beside the flags that name it, because {@link ServerConfig} carries it; the server samples it.
 */
public sealed interface ServiceTime {
  /** {@code --service-time-sigma}'s default: a p99 about 2.7 times the median, a tail without outliers. */
  double DEFAULT_SIGMA = 0.5;
  double MIN_SIGMA = 0.01;
  double MAX_SIGMA = 3;
  Fixed FIXED = new Fixed();

  /** One call's service time in ms, for a mean of {@code meanMs}. */
  double sampleMs(double meanMs, RandomGenerator random);

  /** What a flag or query spells it: fixed, exponential or lognormal. */
  String wireName();

  /** Every call takes the mean: today's greeter. */
  record Fixed() implements ServiceTime {
    @Override
    public double sampleMs(double meanMs, RandomGenerator random) {
      return meanMs;
    }

    @Override
    public String wireName() {
      return "fixed";
    }
  }

  /** Memoryless, as queueing theory's M/M/c assumes: most calls are short, a few take several means. */
  record Exponential() implements ServiceTime {
    @Override
    public double sampleMs(double meanMs, RandomGenerator random) {
      return meanMs * random.nextExponential();
    }

    @Override
    public String wireName() {
      return "exponential";
    }
  }

  /**
   * exp(N(mu, sigma^2)) with mu = ln(mean) - sigma^2 / 2, so that its mean is {@code meanMs} whatever the shape.
   */
  record Lognormal(double sigma) implements ServiceTime {
    public Lognormal {
      if (!(sigma >= MIN_SIGMA && sigma <= MAX_SIGMA)) {
        throw new IllegalArgumentException("sigma must be a number from " + MIN_SIGMA + " to " + MAX_SIGMA + ", got " + sigma);
      }
    }

    @Override
    public double sampleMs(double meanMs, RandomGenerator random) {
      return meanMs * Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
    }

    @Override
    public String wireName() {
      return "lognormal";
    }
  }

  /** "fixed, exponential, lognormal": every shape's wire name. */
  static String wireNames() {
    return "fixed, exponential, lognormal";
  }

  /**
   * The shape {@code name} spells (lower case), with {@code sigma} for lognormal (ignored otherwise). Fails saying
   * "must be one of ..., got '...'", for the caller to prefix with the flag's or parameter's name.
   */
  static ServiceTime parse(String name, double sigma) {
    return switch (name == null ? "" : name) {
      case "fixed" -> FIXED;
      case "exponential" -> new Exponential();
      case "lognormal" -> new Lognormal(sigma);
      default -> throw new IllegalArgumentException("must be one of " + wireNames()
          + (name == null ? ", and is missing" : ", got '" + name + "'"));
    };
  }
}
