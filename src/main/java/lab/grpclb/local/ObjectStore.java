package lab.grpclb.local;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The API server's storage: objects by resource, namespace and name. Every write takes the next
 * resourceVersion and is kept in a bounded history, so a watch can resume from a resourceVersion it was
 * given; one older than the history is expired (410), as etcd's compaction makes it. The one piece of the
 * control plane that controllers and tests call from their own threads, so it alone takes a lock; it hands
 * each change to its listener under that lock, in resourceVersion order.
 */
final class ObjectStore {
  /** The namespace that lists or watches every namespace, as client-go's NamespaceAll. */
  static final String ALL_NAMESPACES = "";

  enum Change { ADDED, MODIFIED, DELETED }

  /** One write: the object as stored after it (as it was last, for a deletion). */
  record Event(long resourceVersion, ApiResource resource, String namespace, Change type, JsonObject object) {
  }

  /** A consistent list: the items and the resourceVersion to watch from. */
  record Snapshot(long resourceVersion, List<JsonObject> items) {
  }

  /** What a watch resuming from a resourceVersion gets. */
  sealed interface Resume {
    /** The changes after it, and the resourceVersion they bring the watcher up to. */
    record Changes(long resourceVersion, List<Event> events) implements Resume {
    }

    /** Older than the history kept: the watcher must relist. */
    record Expired() implements Resume {
    }
  }

  private final int historyLimit;
  private final Map<String, JsonObject> objects = new TreeMap<>();
  private final Deque<Event> history = new ArrayDeque<>();
  private Consumer<Event> listener = e -> { };
  private long resourceVersion = 1;
  private long oldestResumable = 1;

  ObjectStore(int historyLimit) {
    this.historyLimit = historyLimit;
  }

  /** Called with every change, in order, under the store's lock: it must only hand the event on. */
  synchronized void onChange(Consumer<Event> listener) {
    this.listener = listener;
  }

  /** Creates or replaces an object (metadata.name and the namespace identify it); returns it as stored. */
  synchronized JsonObject apply(ApiResource resource, String namespace, JsonObject object) {
    JsonObject stored = object.copy();
    stored.remove("kind");
    stored.remove("apiVersion");
    JsonObject metadata = stored.getJsonObject("metadata");
    String key = key(resource, namespace, metadata.getString("name"));
    JsonObject previous = objects.get(key);
    metadata.put("namespace", namespace).put("resourceVersion", String.valueOf(++resourceVersion));
    if (previous == null) {
      metadata.put("uid", UUID.randomUUID().toString())
          .put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()); // RFC 3339, as the API's
    } else { // identity and age survive a replace, as an update keeps them
      JsonObject before = previous.getJsonObject("metadata");
      metadata.put("uid", before.getString("uid")).put("creationTimestamp", before.getString("creationTimestamp"));
    }
    objects.put(key, stored);
    record(new Event(resourceVersion, resource, namespace, previous == null ? Change.ADDED : Change.MODIFIED, stored.copy()));
    return stored.copy();
  }

  /** Deletes an object; false if there was none. */
  synchronized boolean delete(ApiResource resource, String namespace, String name) {
    JsonObject removed = objects.remove(key(resource, namespace, name));
    if (removed == null) {
      return false;
    }
    removed.getJsonObject("metadata").put("resourceVersion", String.valueOf(++resourceVersion));
    record(new Event(resourceVersion, resource, namespace, Change.DELETED, removed));
    return true;
  }

  synchronized Optional<JsonObject> get(ApiResource resource, String namespace, String name) {
    return Optional.ofNullable(objects.get(key(resource, namespace, name))).map(JsonObject::copy);
  }

  /** The objects of one resource in a namespace, or in all of them, that pass the selector. */
  synchronized Snapshot list(ApiResource resource, String namespace, Predicate<JsonObject> selector) {
    String prefix = resource.name() + "/" + (namespace.equals(ALL_NAMESPACES) ? "" : namespace + "/");
    List<JsonObject> found = new ArrayList<>();
    objects.forEach((key, object) -> {
      if (key.startsWith(prefix) && selector.test(object)) {
        found.add(object.copy());
      }
    });
    return new Snapshot(resourceVersion, found);
  }

  /** The changes after {@code from} that pass the filter, or Expired if the history no longer reaches back to it. */
  synchronized Resume since(long from, Predicate<Event> filter) {
    if (from < oldestResumable) {
      return new Resume.Expired();
    }
    List<Event> changes = new ArrayList<>();
    for (Event e : history) {
      if (e.resourceVersion() > from && filter.test(e)) {
        changes.add(e);
      }
    }
    return new Resume.Changes(resourceVersion, changes);
  }

  synchronized long resourceVersion() {
    return resourceVersion;
  }

  /** Forgets the history: a resume from any resourceVersion handed out so far is expired. */
  synchronized void compact() {
    history.clear();
    oldestResumable = ++resourceVersion;
  }

  private void record(Event e) {
    history.addLast(e);
    if (history.size() > historyLimit) {
      oldestResumable = history.removeFirst().resourceVersion();
    }
    listener.accept(e);
  }

  private static String key(ApiResource resource, String namespace, String name) {
    return resource.name() + "/" + namespace + "/" + name;
  }
}
