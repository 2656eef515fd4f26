package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store on its own: resourceVersions, identity across replaces, selectors, the bounded history. */
class ObjectStoreTest {
  static final String NS = "default";

  final ObjectStore store = new ObjectStore(3);
  final List<ObjectStore.Event> events = new ArrayList<>();

  ObjectStoreTest() {
    store.onChange(events::add);
  }

  static JsonObject object(String name, String app) {
    return new JsonObject().put("kind", "Service").put("apiVersion", "v1")
        .put("metadata", new JsonObject().put("name", name).put("labels", new JsonObject().put("app", app)));
  }

  static long rv(JsonObject object) {
    return Long.parseLong(object.getJsonObject("metadata").getString("resourceVersion"));
  }

  static List<String> names(List<JsonObject> objects) {
    return objects.stream().map(o -> o.getJsonObject("metadata").getString("name")).toList();
  }

  @Test
  void eachWriteTakesTheNextResourceVersionAndAReplaceKeepsUidAndAge() {
    JsonObject created = store.apply(ApiResource.SERVICES, NS, object("a", "x"));
    JsonObject replaced = store.apply(ApiResource.SERVICES, NS, object("a", "y"));
    assertEquals(rv(created) + 1, rv(replaced));
    assertEquals(rv(replaced), store.resourceVersion());
    JsonObject before = created.getJsonObject("metadata");
    JsonObject after = replaced.getJsonObject("metadata");
    assertEquals(before.getString("uid"), after.getString("uid"));
    assertEquals(before.getString("creationTimestamp"), after.getString("creationTimestamp"));
    assertEquals(NS, after.getString("namespace"));
    assertFalse(replaced.containsKey("kind"), "kind and apiVersion come from the resource, not the stored object");
    assertNotEquals(before.getString("uid"), store.apply(ApiResource.SERVICES, NS, object("b", "x"))
        .getJsonObject("metadata").getString("uid"));
    assertEquals(List.of(ObjectStore.Change.ADDED, ObjectStore.Change.MODIFIED, ObjectStore.Change.ADDED),
        events.stream().map(ObjectStore.Event::type).toList());
  }

  @Test
  void whatItHandsOutIsACopy() {
    store.apply(ApiResource.SERVICES, NS, object("a", "x")).getJsonObject("metadata").put("name", "changed");
    store.get(ApiResource.SERVICES, NS, "a").orElseThrow().put("spec", "changed");
    assertEquals(List.of("a"), names(store.list(ApiResource.SERVICES, NS, o -> true).items()));
    assertFalse(store.get(ApiResource.SERVICES, NS, "a").orElseThrow().containsKey("spec"));
  }

  @Test
  void aListIsOneResourceInOneNamespaceThroughTheSelectorAtTheCurrentVersion() {
    store.apply(ApiResource.SERVICES, NS, object("a", "x"));
    store.apply(ApiResource.SERVICES, NS, object("b", "y"));
    store.apply(ApiResource.SERVICES, "other", object("c", "x"));
    store.apply(ApiResource.ENDPOINTSLICES, NS, object("d", "x"));
    ObjectStore.Snapshot snapshot = store.list(ApiResource.SERVICES, NS, Selector.of("app=x", null));
    assertEquals(List.of("a"), names(snapshot.items()));
    assertEquals(store.resourceVersion(), snapshot.resourceVersion());
    assertTrue(store.get(ApiResource.ENDPOINTSLICES, "other", "d").isEmpty());
  }

  @Test
  void aDeletionIsAnEventWithItsOwnVersionAndDeletingNothingIsNone() {
    store.apply(ApiResource.SERVICES, NS, object("a", "x"));
    assertTrue(store.delete(ApiResource.SERVICES, NS, "a"));
    ObjectStore.Event deleted = events.get(1);
    assertEquals(ObjectStore.Change.DELETED, deleted.type());
    assertEquals(store.resourceVersion(), deleted.resourceVersion());
    assertEquals(deleted.resourceVersion(), rv(deleted.object()));
    assertFalse(store.delete(ApiResource.SERVICES, NS, "a"));
    assertEquals(2, events.size());
    assertTrue(store.list(ApiResource.SERVICES, NS, o -> true).items().isEmpty());
  }

  @Test
  void aResumeGetsTheMatchingChangesAfterItsVersion() {
    long start = store.resourceVersion();
    store.apply(ApiResource.SERVICES, NS, object("a", "x"));
    store.apply(ApiResource.ENDPOINTSLICES, NS, object("p", "x"));
    store.apply(ApiResource.SERVICES, NS, object("a", "y"));
    ObjectStore.Resume resume = store.since(start, e -> e.resource() == ApiResource.SERVICES);
    ObjectStore.Resume.Changes changes = assertInstanceOf(ObjectStore.Resume.Changes.class, resume);
    assertEquals(List.of("x", "y"), changes.events().stream()
        .map(e -> e.object().getJsonObject("metadata").getJsonObject("labels").getString("app")).toList(),
        "each event keeps the object as it was then");
    assertEquals(store.resourceVersion(), changes.resourceVersion());
    assertEquals(List.of(), ((ObjectStore.Resume.Changes) store.since(store.resourceVersion(), e -> true)).events());
  }

  @Test
  void theHistoryIsBoundedAndAResumeOlderThanItIsExpired() {
    long start = store.resourceVersion();
    for (int i = 0; i < 4; i++) { // one more than the three kept
      store.apply(ApiResource.SERVICES, NS, object("s" + i, "x"));
    }
    assertInstanceOf(ObjectStore.Resume.Expired.class, store.since(start, e -> true));
    ObjectStore.Resume.Changes kept = assertInstanceOf(ObjectStore.Resume.Changes.class, store.since(start + 1, e -> true));
    assertEquals(3, kept.events().size(), "the oldest version still resumable sees every later change");
  }

  @Test
  void aCompactionExpiresEveryVersionHandedOutSoFar() {
    store.apply(ApiResource.SERVICES, NS, object("a", "x"));
    long handedOut = store.resourceVersion();
    store.compact();
    assertInstanceOf(ObjectStore.Resume.Expired.class, store.since(handedOut, e -> true));
    long fresh = store.list(ApiResource.SERVICES, NS, o -> true).resourceVersion();
    assertTrue(fresh > handedOut, "a relist gets a newer version");
    store.apply(ApiResource.SERVICES, NS, object("b", "x"));
    assertEquals(1, ((ObjectStore.Resume.Changes) store.since(fresh, e -> true)).events().size());
  }
}
