# syntax=docker/dockerfile:1
# The orchestrator server as an image: built from this source tree, run on a JRE as an unprivileged user.
#   docker build -t interactions-server .
# It listens on 0.0.0.0:8080 (HTTP) and 25520 (Pekko cluster), which the server only allows with auth on: run it with
# ORCHESTRATOR_AUTH_MODE=jwt and a secret or public key (README, "Cluster deployment"; docker-compose.yml does).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps the downloaded dependencies between builds without putting them in a layer.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl server -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system orchestrator && useradd --system --gid orchestrator --home-dir /var/lib/orchestrator orchestrator \
    && mkdir -p /var/lib/orchestrator && chown orchestrator:orchestrator /var/lib/orchestrator
# The thin jar finds its libraries in lib/ beside it (the manifest's class path).
COPY --from=build /src/server/target/interactions-server.jar /opt/orchestrator/interactions-server.jar
COPY --from=build /src/server/target/lib /opt/orchestrator/lib
USER orchestrator
# The working directory is where the default H2 store writes ./data; with PostgreSQL nothing is written there.
WORKDIR /var/lib/orchestrator
ENV ORCHESTRATOR_HTTP_HOST=0.0.0.0 \
    ORCHESTRATOR_HTTP_PORT=8080 \
    ORCHESTRATOR_CLUSTER_PORT=25520 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
EXPOSE 8080 25520
# Bash's /dev/tcp instead of curl: the JRE image need not ship an HTTP client. 200 means every readiness check passes.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ORCHESTRATOR_HTTP_PORT} && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Exec form: the JVM is PID 1 and receives docker stop's SIGTERM itself, which starts the graceful shutdown.
ENTRYPOINT ["java", "-jar", "/opt/orchestrator/interactions-server.jar"]
