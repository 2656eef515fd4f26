package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A PATCH applied as the API server applies the kinds kubectl sends: a JSON merge patch (RFC 7386), a strategic merge
 * patch (kubectl apply, rollout restart: lists of containers, env, ports... merge by their key, with the
 * {@code $patch}, {@code $retainKeys}, {@code $setElementOrder} and {@code $deleteFromPrimitiveList} directives), and
 * server-side apply, read as a strategic merge of the applied configuration (one manager: no field ownership, no
 * conflicts). The merge keys are those of the Deployment and Service fields these objects carry; any other list is
 * replaced whole, as a list without a patch strategy is.
 */
final class ObjectPatch {
  /** Lists that merge by a key, by their path with the indices left out (the Go structs' patchMergeKey tags). */
  private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
      Map.entry("spec.template.spec.containers", "name"),
      Map.entry("spec.template.spec.initContainers", "name"),
      Map.entry("spec.template.spec.containers.env", "name"),
      Map.entry("spec.template.spec.initContainers.env", "name"),
      Map.entry("spec.template.spec.containers.ports", "containerPort"),
      Map.entry("spec.template.spec.containers.volumeMounts", "mountPath"),
      Map.entry("spec.template.spec.volumes", "name"),
      Map.entry("spec.template.spec.imagePullSecrets", "name"),
      Map.entry("spec.ports", "port"),
      Map.entry("metadata.ownerReferences", "uid"));
  private static final String PATCH = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String ORDER = "$setElementOrder/";
  private static final String DELETE_FROM = "$deleteFromPrimitiveList/";

  private ObjectPatch() {
  }

  /** The object after the patch; {@code target} is left as it was. Fails with an {@link ApiError} it cannot apply. */
  static JsonObject apply(JsonObject target, ApiWrite.PatchType type, JsonObject patch) {
    return switch (type) {
      case MERGE -> (JsonObject) merge(target, patch);
      case STRATEGIC_MERGE, APPLY -> {
        JsonObject patched = strategic(target, patch, "");
        if (patched == null) {
          throw ApiError.badRequest("a $patch: delete of the whole object is not a patch; use DELETE");
        }
        yield patched;
      }
      case JSON_PATCH -> throw ApiError.unsupportedMediaType("local mode's control plane does not apply JSON patches"
          + " (application/json-patch+json); send a merge or strategic merge patch (kubectl patch --type=merge)");
    };
  }

  /** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
  static Object merge(Object target, Object patch) {
    if (!(patch instanceof JsonObject changes)) {
      return patch;
    }
    JsonObject result = target instanceof JsonObject object ? object.copy() : new JsonObject();
    changes.forEach(e -> {
      if (e.getValue() == null) {
        result.remove(e.getKey());
      } else {
        result.put(e.getKey(), merge(result.getValue(e.getKey()), e.getValue()));
      }
    });
    return result;
  }

  /** One map of a strategic merge patch; null when the patch deletes it. */
  private static JsonObject strategic(JsonObject target, JsonObject patch, String path) {
    String directive = patch.getString(PATCH);
    if ("delete".equals(directive)) {
      return null;
    }
    if ("replace".equals(directive)) {
      return withoutDirectives(patch);
    }
    JsonObject result = target.copy();
    patch.forEach(e -> {
      String key = e.getKey();
      if (key.startsWith(DELETE_FROM)) {
        String list = key.substring(DELETE_FROM.length());
        JsonArray kept = new JsonArray();
        result.getJsonArray(list, new JsonArray()).forEach(v -> {
          if (!((JsonArray) e.getValue()).contains(v)) {
            kept.add(v);
          }
        });
        result.put(list, kept);
      } else if (!key.startsWith("$")) {
        patchField(result, key, e.getValue(), join(path, key));
      }
    });
    patch.forEach(e -> {
      if (e.getKey().startsWith(ORDER)) {
        String list = e.getKey().substring(ORDER.length());
        String mergeKey = MERGE_KEYS.get(join(path, list));
        if (mergeKey != null && result.getValue(list) instanceof JsonArray items) {
          result.put(list, ordered(items, (JsonArray) e.getValue(), mergeKey));
        }
      }
    });
    if (patch.getValue(RETAIN_KEYS) instanceof JsonArray retained) {
      result.fieldNames().removeIf(name -> !retained.contains(name));
    }
    return result;
  }

  private static void patchField(JsonObject result, String key, Object value, String path) {
    Object current = result.getValue(key);
    String mergeKey = MERGE_KEYS.get(path);
    if (value == null) {
      result.remove(key);
    } else if (value instanceof JsonObject map && current instanceof JsonObject existing) {
      JsonObject patched = strategic(existing, map, path);
      if (patched == null) {
        result.remove(key);
      } else {
        result.put(key, patched);
      }
    } else if (value instanceof JsonArray list && mergeKey != null && current instanceof JsonArray existing) {
      result.put(key, mergeList(existing, list, mergeKey, path));
    } else {
      result.put(key, withoutDirectives(value));
    }
  }

  /** A keyed list: a patch element replaces-by-merging the element with its key, adds one, or deletes it. */
  private static JsonArray mergeList(JsonArray target, JsonArray patch, String mergeKey, String path) {
    List<Object> result = new ArrayList<>(target.copy().getList());
    for (Object item : patch) {
      if (!(item instanceof JsonObject element)) {
        throw ApiError.badRequest("the strategic merge patch of " + path + " must list objects keyed by " + mergeKey);
      }
      if ("replace".equals(element.getString(PATCH))) {
        return (JsonArray) withoutDirectives(new JsonArray(patch.stream().filter(i -> i != element).toList()));
      }
      Object key = element.getValue(mergeKey);
      int at = indexOf(result, mergeKey, key);
      if ("delete".equals(element.getString(PATCH))) {
        if (at >= 0) {
          result.remove(at);
        }
      } else if (at >= 0) {
        result.set(at, strategic((JsonObject) wrap(result.get(at)), element, path));
      } else {
        result.add(withoutDirectives(element));
      }
    }
    return new JsonArray(result);
  }

  /** {@code $setElementOrder}: the elements it names in its order; the others after them, as they were. */
  private static JsonArray ordered(JsonArray items, JsonArray order, String mergeKey) {
    List<Object> keys = order.stream().map(o -> ((JsonObject) o).getValue(mergeKey)).toList();
    List<Object> sorted = new ArrayList<>(items.getList());
    sorted.sort(Comparator.comparingInt(item -> {
      int at = keys.indexOf(((JsonObject) wrap(item)).getValue(mergeKey));
      return at < 0 ? Integer.MAX_VALUE : at;
    }));
    return new JsonArray(sorted);
  }

  private static int indexOf(List<Object> items, String mergeKey, Object key) {
    for (int i = 0; i < items.size(); i++) {
      if (wrap(items.get(i)) instanceof JsonObject item && String.valueOf(item.getValue(mergeKey)).equals(String.valueOf(key))) {
        return i;
      }
    }
    return -1;
  }

  /** A JsonArray's raw list holds maps where its getters hand out JsonObjects. */
  @SuppressWarnings("unchecked")
  private static Object wrap(Object item) {
    return item instanceof Map<?, ?> map ? new JsonObject((Map<String, Object>) map) : item;
  }

  /** The value with every {@code $} directive left out, for a field the patch sets outright. */
  private static Object withoutDirectives(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject clean = new JsonObject();
      object.forEach(e -> {
        if (!e.getKey().startsWith("$")) {
          clean.put(e.getKey(), withoutDirectives(e.getValue()));
        }
      });
      return clean;
    }
    if (value instanceof JsonArray array) {
      JsonArray clean = new JsonArray();
      array.forEach(v -> clean.add(withoutDirectives(v)));
      return clean;
    }
    return value;
  }

  private static JsonObject withoutDirectives(JsonObject object) {
    return (JsonObject) withoutDirectives((Object) object);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
