package lab.grpclb.local;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Label and field selectors as the API server reads them: {@code a=b,c!=d,e} and {@code metadata.name=x}. */
final class Selector {
  private Selector() {
  }

  static Predicate<JsonObject> of(String labelSelector, String fieldSelector) {
    List<Predicate<JsonObject>> all = new ArrayList<>();
    for (String term : terms(labelSelector)) {
      all.add(labelTerm(term));
    }
    for (String term : terms(fieldSelector)) {
      all.add(fieldTerm(term));
    }
    return object -> all.stream().allMatch(p -> p.test(object));
  }

  private static List<String> terms(String selector) {
    List<String> terms = new ArrayList<>();
    if (selector != null) {
      for (String term : selector.split(",")) {
        if (!term.isBlank()) {
          terms.add(term.trim());
        }
      }
    }
    return terms;
  }

  private static Predicate<JsonObject> labelTerm(String term) {
    if (term.contains("!=")) {
      String[] kv = term.split("!=", 2);
      return o -> !kv[1].equals(label(o, kv[0]));
    }
    if (term.contains("=")) {
      String[] kv = term.split("==?", 2);
      return o -> kv[1].equals(label(o, kv[0]));
    }
    if (term.startsWith("!")) {
      return o -> label(o, term.substring(1)) == null;
    }
    return o -> label(o, term) != null;
  }

  private static Predicate<JsonObject> fieldTerm(String term) {
    boolean negate = term.contains("!=");
    String[] kv = term.split(negate ? "!=" : "==?", 2);
    if (kv.length < 2) {
      throw new IllegalArgumentException("invalid field selector term '" + term + "'");
    }
    return o -> negate != kv[1].equals(field(o, kv[0]));
  }

  private static String label(JsonObject object, String key) {
    JsonObject labels = object.getJsonObject("metadata", new JsonObject()).getJsonObject("labels");
    return labels == null ? null : labels.getString(key);
  }

  private static String field(JsonObject object, String path) {
    Object current = object;
    for (String part : path.split("\\.")) {
      if (!(current instanceof JsonObject json)) {
        return null;
      }
      current = json.getValue(part);
    }
    return current == null ? null : String.valueOf(current);
  }
}
