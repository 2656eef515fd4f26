# One image for both modes: deploy/server.yaml runs it with --mode server, deploy/client.yaml with --mode client.
#
#   eval $(minikube -p minikube docker-env)    # build straight into minikube's Docker engine
#   docker build -t grpc-lb-lab:dev .
#
# Only plain Dockerfile instructions (no RUN --mount, no heredocs), so the classic builder builds it as
# well as BuildKit. deploy/ tests (DeployManifestsTest) check this file against pom.xml and the manifests.

# ---- build: Maven + JDK 17 ------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Dependencies and plugins in their own layer, rebuilt only when pom.xml or the .proto changes.
# dependency:go-offline misses what plugins resolve as they run (protoc, the Vert.x gRPC generator,
# the shade and resources plugins' own dependencies), so this layer runs the very same package build
# on the pom and the .proto alone: the next step then needs nothing more from the network.
COPY pom.xml ./
COPY src/main/proto ./src/main/proto
RUN mvn -B -q package -Dmaven.test.skip=true && rm -rf target

COPY src ./src
RUN mvn -B -q package -Dmaven.test.skip=true

# ---- runtime: JRE 17, non-root ----------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# A numeric user, so Kubernetes' runAsNonRoot can check it (deploy/ pins the same uid and gid).
RUN groupadd --gid 10001 app \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# /app and the jar stay owned by root: the app user can read them, not change them. The process writes
# only under /tmp (the JVM's temp files and the Vert.x file cache), an emptyDir in the manifests, so
# the root filesystem can be read-only.
WORKDIR /app
COPY --from=build /build/target/grpc-lb-lab.jar /app/grpc-lb-lab.jar
USER 10001:10001

# 50051: gRPC greeter + grpc.health.v1 (server mode); 9090: the server's /metrics (--metrics-port);
# 8080: experiment HTTP API + /healthz + /metrics (client mode).
EXPOSE 50051 9090 8080

# Exec form: java is PID 1 and gets SIGTERM itself, so the server drains before exiting.
# Heap is 75% of the container's memory limit; an OutOfMemoryError ends the JVM so the pod restarts.
# A call's state lives for the reply delay and dies young: ParallelGC with a young generation half the heap
# frees it cheaply, where G1's defaults spent more CPU than the event loops (bench/README.md, Benchmark.GC_FLAGS).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseParallelGC", "-XX:NewRatio=1", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-Dvertx.cacheDirBase=/tmp/vertx-cache", "-jar", "/app/grpc-lb-lab.jar"]
