package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kill racing a delete, a scale or another kill (gRPC port 50083, no other test uses it): every answer is a 202
 * saying what happened or a 409 saying why not, never a 500, and the Deployment ends with its replicas, none crashed.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodRacesTest {
  static final int GRPC_PORT = 50083;
  static final int ROUNDS = 10;

  TestClusters.Cluster lab;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "3", "--delay-ms", "0");
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  @BeforeEach
  void threeSettledPods() throws Exception {
    lab.scale(3);
    awaitSettled(3);
  }

  boolean crashed(String name) {
    try {
      return lab.pods().stream().anyMatch(p -> p.getString("name").equals(name) && p.getBoolean("crashed"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until exactly {@code replicas} pods are ready and none is crashed (terminating ones may still drain). */
  void awaitSettled(int replicas) throws Exception {
    Await.until(() -> {
      try {
        List<JsonObject> pods = lab.pods();
        return pods.stream().filter(p -> p.getBoolean("ready") && !p.getBoolean("crashed")).count() == replicas
            && pods.stream().noneMatch(p -> p.getBoolean("crashed"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, replicas + " ready pods, none crashed");
  }

  String aReadyPod() throws Exception {
    return lab.pods().stream().filter(p -> p.getBoolean("ready") && !p.getBoolean("terminating")).findFirst().orElseThrow()
        .getString("name");
  }

  /**
   * The user's case: kill with noticed_ms=500, then the DELETE while the kill waits for the kubelet. It answered 500
   * "pod ... was removed before its crash was noticed" 14 times of 14; now the kill answers 202 saying the pod was
   * deleted first and the deletion's replacement stands in, and the Deployment keeps its 3 pods.
   */
  @Test
  void aKillThenADeleteOfTheSamePodAnswers202SayingWhatHappenedNever500() throws Exception {
    int deletedFirst = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String victim = aReadyPod();
      Future<Http.Answer> killed = lab.sendAsync(HttpMethod.POST, "/cluster/pods/" + victim + "/kill?noticed_ms=500");
      Await.until(() -> crashed(victim), victim + " crashed");
      Http.Answer deleted = lab.send(HttpMethod.DELETE, "/cluster/pods/" + victim);
      Http.Answer kill = killed.await(20, TimeUnit.SECONDS);
      String both = "kill " + kill.status() + " " + kill.body().encode() + ", delete " + deleted.status() + " "
          + deleted.body().encode();
      assertEquals(202, kill.status(), both);
      if (deleted.status() == 202) { // the delete came before the kubelet noticed: the usual case
        deletedFirst++;
        assertTrue(deleted.body().getJsonObject("replacement").getBoolean("ready"), both);
        assertNull(kill.body().getJsonObject("replacement"), "the deletion replaced it, not the crash: " + both);
        assertTrue(kill.body().getString("status").contains("before the kubelet noticed the crash the pod was deleted"),
            both);
      } else { // a stalled machine: the crash was noticed and the pod gone before the DELETE came
        assertEquals(404, deleted.status(), both);
        assertTrue(kill.body().getJsonObject("replacement").getBoolean("ready"), both);
      }
      awaitSettled(3);
    }
    System.out.println("kill then delete: " + deletedFirst + " of " + ROUNDS + " deletes came before the notice, 0 answered 500");
    assertTrue(deletedFirst > 0, "the race was run at least once");
    assertEquals(3, lab.send(HttpMethod.GET, "/cluster").body().getInteger("replicas"));
  }

  /** The reverse: a DELETE and a kill of the same pod sent together; whichever comes first, neither answers 500. */
  @Test
  void aDeleteAndAKillSentTogetherNeverAnswer500() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String victim = aReadyPod();
      Future<Http.Answer> deleted = lab.sendAsync(HttpMethod.DELETE, "/cluster/pods/" + victim);
      Future<Http.Answer> killed = lab.sendAsync(HttpMethod.POST, "/cluster/pods/" + victim + "/kill?noticed_ms=100");
      Http.Answer delete = deleted.await(20, TimeUnit.SECONDS);
      Http.Answer kill = killed.await(20, TimeUnit.SECONDS);
      String both = "delete " + delete.status() + " " + delete.body().encode() + ", kill " + kill.status() + " "
          + kill.body().encode();
      assertTrue(Set.of(202, 404).contains(delete.status()), both); // 404: the kill came first and was noticed first
      assertTrue(Set.of(202, 404, 409).contains(kill.status()), both); // 404: the deleted pod had drained already
      assertTrue(delete.status() == 202 || kill.status() == 202, both);
      if (kill.status() == 409) {
        assertTrue(kill.body().getString("error").contains("terminating"), both);
      }
      awaitSettled(3);
    }
  }

  /** Two kills of one pod at once: the first is the kill, the second a 409 saying the pod no longer serves. */
  @Test
  void twoKillsOfOnePodAnswerOne202AndOne409() throws Exception {
    String victim = aReadyPod();
    Future<Http.Answer> first = lab.sendAsync(HttpMethod.POST, "/cluster/pods/" + victim + "/kill?noticed_ms=300");
    Future<Http.Answer> second = lab.sendAsync(HttpMethod.POST, "/cluster/pods/" + victim + "/kill?noticed_ms=300");
    List<Http.Answer> answers = List.of(first.await(20, TimeUnit.SECONDS), second.await(20, TimeUnit.SECONDS));
    List<Integer> statuses = answers.stream().map(Http.Answer::status).sorted().toList();
    assertEquals(List.of(202, 409), statuses, answers.toString());
    Http.Answer refused = answers.stream().filter(a -> a.status() == 409).findFirst().orElseThrow();
    assertTrue(refused.body().getString("error").contains("not serving"), refused.body().encode());
    awaitSettled(3);
  }

  /**
   * A crashed pod scaled away before the kubelet notices (the Deployment removes the last pod by name): the kill
   * answers 202 saying so, with no replacement, and the Deployment keeps the 2 replicas asked for.
   */
  @Test
  void aKilledPodScaledAwayBeforeTheNoticeAnswers202WithoutAReplacement() throws Exception {
    String victim = lab.pods().stream().filter(p -> p.getBoolean("ready")).map(p -> p.getString("name"))
        .max(Comparator.naturalOrder()).orElseThrow();
    Future<Http.Answer> killed = lab.sendAsync(HttpMethod.POST, "/cluster/pods/" + victim + "/kill?noticed_ms=2000");
    Await.until(() -> crashed(victim), victim + " crashed");
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/scale?replicas=2").status());
    Http.Answer kill = killed.await(20, TimeUnit.SECONDS);
    assertEquals(202, kill.status(), kill.body().encode());
    assertNull(kill.body().getJsonObject("replacement"), kill.body().encode());
    assertTrue(kill.body().getString("status").contains("scaled away"), kill.body().encode());
    awaitSettled(2);
    assertEquals(2, lab.send(HttpMethod.GET, "/cluster").body().getInteger("replicas"));
  }
}
