package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Patches as kubectl sends them (the bodies below are what kubectl 1.33 sent), applied as the API server applies them. */
class ObjectPatchTest {
  static final JsonObject DEPLOYMENT = new JsonObject("""
      {"metadata": {"name": "greeter-server", "labels": {"app": "greeter-server"}},
       "spec": {"replicas": 3,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        "template": {"metadata": {"labels": {"app": "greeter-server"}},
         "spec": {"containers": [{"name": "greeter-server", "image": "grpc-lb-lab:dev",
           "ports": [{"name": "grpc", "containerPort": 50091, "protocol": "TCP"}],
           "env": [{"name": "GREETER_DELAY_MS", "value": "20"}]}],
          "terminationGracePeriodSeconds": 20}}}}""");

  static JsonObject containers(JsonObject deployment) {
    return deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec").getJsonArray("containers")
        .getJsonObject(0);
  }

  @Test
  void aMergePatchMergesObjectsReplacesListsAndDeletesWithNull() {
    JsonObject patched = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.MERGE, new JsonObject("""
        {"spec": {"replicas": 5, "strategy": {"rollingUpdate": null}}, "metadata": {"labels": {"tier": "lab"}}}"""));
    assertEquals(5, patched.getJsonObject("spec").getInteger("replicas"));
    assertEquals(new JsonObject().put("type", "RollingUpdate"), patched.getJsonObject("spec").getJsonObject("strategy"));
    assertEquals(new JsonObject().put("app", "greeter-server").put("tier", "lab"),
        patched.getJsonObject("metadata").getJsonObject("labels"));
    assertEquals(3, DEPLOYMENT.getJsonObject("spec").getInteger("replicas"), "the target is left as it was");
  }

  /** What kubectl rollout restart sends. */
  @Test
  void aStrategicMergePatchOfMapsIsAMerge() {
    JsonObject patched = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-07T11:30:05Z"}}}}}"""));
    JsonObject metadata = patched.getJsonObject("spec").getJsonObject("template").getJsonObject("metadata");
    assertEquals("2026-12-07T11:30:05Z", metadata.getJsonObject("annotations").getString("kubectl.kubernetes.io/restartedAt"));
    assertEquals("greeter-server", metadata.getJsonObject("labels").getString("app"));
  }

  /** What kubectl apply of deploy/server.yaml sends: keyed lists merge, delete by key, and take the manifest's order. */
  @Test
  void keyedListsMergeByTheirKeyWithTheDirectivesKubectlSends() {
    JsonObject patched = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"spec": {"strategy": {"$retainKeys": ["rollingUpdate", "type"], "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
          "template": {"spec": {"$setElementOrder/containers": [{"name": "greeter-server"}],
            "containers": [{"name": "greeter-server",
              "$setElementOrder/env": [{"name": "MY_POD_IP"}, {"name": "GREETER_DELAY_MS"}],
              "$setElementOrder/ports": [{"containerPort": 50051}, {"containerPort": 9090}],
              "env": [{"name": "MY_POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                      {"name": "GREETER_DELAY_MS", "value": "500"}],
              "ports": [{"containerPort": 50051, "name": "grpc", "protocol": "TCP"},
                        {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
                        {"$patch": "delete", "containerPort": 50091}],
              "args": ["--mode", "server"]}]}}}}"""));
    JsonObject container = containers(patched);
    assertEquals("grpc-lb-lab:dev", container.getString("image"), "a field the patch leaves out stays");
    assertEquals("[{\"name\":\"MY_POD_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}},"
        + "{\"name\":\"GREETER_DELAY_MS\",\"value\":\"500\"}]", container.getJsonArray("env").encode());
    assertEquals("[{\"containerPort\":50051,\"name\":\"grpc\",\"protocol\":\"TCP\"},"
        + "{\"containerPort\":9090,\"name\":\"metrics\",\"protocol\":\"TCP\"}]", container.getJsonArray("ports").encode());
    assertEquals("[\"--mode\",\"server\"]", container.getJsonArray("args").encode(), "a list without a key is set whole");
    assertEquals(new JsonObject("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":0}}"),
        patched.getJsonObject("spec").getJsonObject("strategy"));
  }

  /** A manifest that drops a field: kubectl sends null for it (the last applied had it), and $patch: replace/delete. */
  @Test
  void nullDeletesAFieldAndPatchDirectivesReplaceOrDeleteAMap() {
    JsonObject withHook = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"spec": {"template": {"spec": {"containers": [{"name": "greeter-server",
          "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}]}}}}"""));
    JsonObject without = ObjectPatch.apply(withHook, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"spec": {"template": {"spec": {"containers": [{"name": "greeter-server", "lifecycle": null}]}}}}"""));
    assertEquals(null, containers(without).getValue("lifecycle"));
    JsonObject replaced = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"metadata": {"labels": {"$patch": "replace", "tier": "lab"}}}"""));
    assertEquals(new JsonObject().put("tier", "lab"), replaced.getJsonObject("metadata").getJsonObject("labels"));
    JsonObject deleted = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.STRATEGIC_MERGE, new JsonObject("""
        {"spec": {"strategy": {"$patch": "delete"}}}"""));
    assertEquals(null, deleted.getJsonObject("spec").getValue("strategy"));
  }

  @Test
  void serverSideApplyMergesTheAppliedConfigurationAndAJsonPatchIsA415() {
    JsonObject applied = ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.APPLY, new JsonObject("""
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "greeter-server"},
         "spec": {"replicas": 4, "template": {"spec": {"containers": [{"name": "greeter-server",
           "env": [{"name": "GREETER_DELAY_MS", "value": "30"}]}]}}}}"""));
    assertEquals(4, applied.getJsonObject("spec").getInteger("replicas"));
    assertEquals("30", containers(applied).getJsonArray("env").getJsonObject(0).getString("value"));
    assertEquals("grpc-lb-lab:dev", containers(applied).getString("image"));
    ApiError refused = assertThrows(ApiError.class, () -> ObjectPatch.apply(DEPLOYMENT, ApiWrite.PatchType.JSON_PATCH,
        new JsonObject()));
    assertEquals(415, refused.code);
  }
}
