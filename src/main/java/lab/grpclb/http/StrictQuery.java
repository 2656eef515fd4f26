package lab.grpclb.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.config.PlainNumber;

/**
 * A route's query, read strictly: a parameter the route does not know, or one given twice, is a 400 naming it and
 * the valid ones, so that a typo ({@code concurency=10}) never silently measures something else; numbers are
 * digits only ({@link PlainNumber}). Given parameters, even empty ones, are checked as given; absent ones take
 * their defaults.
 */
public final class StrictQuery {
  private final MultiMap params;

  private StrictQuery(MultiMap params) {
    this.params = params;
  }

  /** The query, once no parameter is unknown to {@code allowed} or repeated; else a {@link BadRequest}. */
  public static StrictQuery of(MultiMap params, Set<String> allowed) {
    for (String name : new TreeSet<>(params.names())) {
      if (!allowed.contains(name)) {
        throw new BadRequest("unknown parameter '" + name + "'" + didYouMean(name, allowed) + "; valid parameters: "
            + (allowed.isEmpty() ? "none" : String.join(", ", new TreeSet<>(allowed))));
      }
      List<String> values = params.getAll(name);
      if (values.size() > 1) {
        throw new BadRequest("parameter '" + name + "' is given " + values.size() + " times (" + values
            + "); give it once");
      }
    }
    return new StrictQuery(params);
  }

  /** A handler that answers 400 for an unknown or repeated parameter, and passes a clean query on. */
  public static Handler<RoutingContext> allow(String... names) {
    Set<String> allowed = Set.of(names);
    return ctx -> {
      try {
        of(ctx.queryParams(), allowed);
        ctx.next();
      } catch (BadRequest e) {
        Responses.error(ctx, 400, e.getMessage());
      }
    };
  }

  public boolean has(String name) {
    return params.contains(name);
  }

  /** The value as given (an empty one too), or {@code fallback} when absent. */
  public String get(String name, String fallback) {
    String value = params.get(name);
    return value == null ? fallback : value;
  }

  /** The whole number in [min, max] given; its absence is a {@link BadRequest} too. */
  public int integer(String name, int min, int max, String limit) {
    if (!has(name)) {
      throw new BadRequest(name + " is missing: an integer from " + min + " to " + max + " (" + limit + ")");
    }
    return integer(name, min, min, max, limit);
  }

  /**
   * The whole number in [min, max] given, or {@code fallback} when absent (a default a limit refuses is refused
   * too); {@code limit} names what sets max.
   */
  public int integer(String name, int fallback, int min, int max, String limit) {
    String raw = has(name) ? params.get(name) : String.valueOf(fallback);
    Integer value = PlainNumber.whole(raw);
    if (value == null || value < min || value > max) {
      throw new BadRequest(name + " must be an integer from " + min + " to " + max
          + (limit == null ? "" : " (" + limit + ")") + ", got '" + raw + "'" + (has(name) ? "" : " (its default)"));
    }
    return value;
  }

  /** The decimal given in [min, max] (digits, optionally a point and more digits), or a {@link BadRequest}. */
  public double decimal(String name, double min, double max, String meaning) {
    String raw = params.get(name);
    Double value = PlainNumber.decimal(raw);
    if (value == null || value < min || value > max) {
      throw new BadRequest(name + " must be " + meaning + " from " + plain(min) + " to " + plain(max)
          + " (digits and a point, no sign or exponent), got '" + raw + "'");
    }
    return value;
  }

  private static String plain(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }

  /**
   * " (did you mean 'x'?)" for the valid name closest to a misspelled one (at most two edits away, or one that
   * starts the other: {@code noticed} for {@code noticed_ms}), else "".
   */
  static String didYouMean(String given, Set<String> allowed) {
    return allowed.stream()
        .filter(name -> editDistance(given, name) <= Math.min(2, Math.max(1, name.length() / 3))
            || given.length() >= 3 && (name.startsWith(given) || given.startsWith(name)))
        .min(Comparator.comparingInt((String name) -> editDistance(given, name)).thenComparing(name -> name))
        .map(name -> " (did you mean '" + name + "'?)")
        .orElse("");
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
