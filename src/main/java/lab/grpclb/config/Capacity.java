package lab.grpclb.config;

/**
 * What a pod can carry: {@code calls} served at once (0: unlimited, every call served at once, today's greeter),
 * later calls waiting first in, first out, and past {@code queueLimit} waiting ones refused at once with
 * RESOURCE_EXHAUSTED; each call's service time drawn from {@code serviceTime} around the pod's {@code --delay-ms},
 * and spent as {@code work} says (a timer, or CPU burnt on {@code calls} threads). Set with {@code --capacity},
 * {@code --queue-limit}, {@code --service-time}, {@code --service-time-sigma} and {@code --work}, or
 * {@code POST /cluster/pods/NAME/capacity} in the local cluster.
 */
public record Capacity(int calls, int queueLimit, ServiceTime serviceTime, Work work) {
  /** {@code --queue-limit}'s default: every call waits, however many. */
  public static final int UNLIMITED_QUEUE = Integer.MAX_VALUE;
  public static final int MAX_CALLS = 1_000_000;
  public static final int MAX_QUEUE_LIMIT = 1_000_000_000;
  /** Today's greeter: no limit, every call takes the delay exactly. */
  public static final Capacity UNLIMITED = new Capacity(0, UNLIMITED_QUEUE, ServiceTime.FIXED);

  public Capacity {
    if (calls < 0 || calls > MAX_CALLS) {
      throw new IllegalArgumentException("c must be an integer from 0 to " + MAX_CALLS + ", got " + calls);
    }
    if (queueLimit < 0) {
      throw new IllegalArgumentException("queue must be an integer from 0 to " + MAX_QUEUE_LIMIT + ", got " + queueLimit);
    }
    if (calls == 0 && queueLimit != UNLIMITED_QUEUE) {
      throw new IllegalArgumentException("queue needs c above 0: with unlimited capacity no call ever waits");
    }
    if (calls == 0 && work == Work.CPU) {
      throw new IllegalArgumentException("work cpu needs c above 0: it burns on c threads, and unlimited has none");
    }
  }

  /** Service time spent as a timer, as every pod did before {@code --work}. */
  public Capacity(int calls, int queueLimit, ServiceTime serviceTime) {
    this(calls, queueLimit, serviceTime, Work.TIMER);
  }

  public boolean unlimited() {
    return calls == 0;
  }

  public boolean queueLimited() {
    return queueLimit != UNLIMITED_QUEUE;
  }

  /** Nothing but the plain timer is needed: unlimited, and every call takes the delay exactly. */
  public boolean plain() {
    return unlimited() && serviceTime instanceof ServiceTime.Fixed;
  }

  /** For logs and errors: "4 calls at once, queue of at most 100, exponential service time" or "unlimited, ...". */
  public String describe() {
    String shape = serviceTime instanceof ServiceTime.Lognormal l ? "lognormal (sigma " + l.sigma() + ")"
        : serviceTime.wireName();
    return (unlimited() ? "unlimited capacity" : calls + " calls at once, " + (queueLimited()
        ? "queue of at most " + queueLimit : "unlimited queue")) + ", " + shape + " service time"
        + (work == Work.CPU ? " burnt as CPU" : "");
  }

  /**
   * {@code --capacity}, {@code --queue-limit}, {@code --service-time}, {@code --service-time-sigma} and
   * {@code --work}.
   */
  static Capacity from(Flags flags) {
    int calls = flags.integer(FlagTable.CAPACITY);
    int queue = flags.integer(FlagTable.QUEUE_LIMIT, UNLIMITED_QUEUE);
    if (calls == 0 && queue != UNLIMITED_QUEUE) {
      throw new ConfigException("--queue-limit needs --capacity above 0: with unlimited capacity no call ever waits");
    }
    Work work = flags.choice(FlagTable.WORK, Work.class);
    if (calls == 0 && work == Work.CPU) {
      throw new ConfigException("--work cpu needs --capacity above 0: calls burn CPU on --capacity threads, and"
          + " unlimited capacity has no such number");
    }
    return new Capacity(calls, queue, serviceTime(flags), work);
  }

  private static ServiceTime serviceTime(Flags flags) {
    String rawSigma = flags.text(FlagTable.SERVICE_TIME_SIGMA);
    Double sigma = PlainNumber.decimal(rawSigma);
    if (sigma == null || sigma < ServiceTime.MIN_SIGMA || sigma > ServiceTime.MAX_SIGMA) {
      throw new ConfigException("--" + FlagTable.SERVICE_TIME_SIGMA.name() + " must be "
          + FlagTable.SERVICE_TIME_SIGMA.expected() + ", got '" + rawSigma + "'");
    }
    try {
      return ServiceTime.parse(flags.text(FlagTable.SERVICE_TIME), sigma);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--" + FlagTable.SERVICE_TIME.name() + " " + e.getMessage());
    }
  }
}
