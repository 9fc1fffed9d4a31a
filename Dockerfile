# Leakwatch engine image. Build: docker build -t leakwatch .
# Run:  docker run -v $PWD/config:/config:ro -v $PWD/rules:/rules:ro -v leakwatch-data:/data \
#         -e SF_ACCESS_TOKEN=... -e LEAKWATCH_API_TOKEN=... -p 8443:8443 leakwatch
# The configuration at /config/leakwatch.yaml needs an api: section (the HEALTHCHECK asks /health).
# Where no registry is reachable, build on local images instead (scripts/container-test.sh makes them
# from Debian packages): --build-arg BUILD_IMAGE=<JDK 17 + Maven> --build-arg RUNTIME_IMAGE=<JRE 17>.
# The runtime image needs java, groupadd and useradd.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# One Maven run over the whole reactor (its modules depend on each other, so there is no separate
# dependency step): a source change downloads the dependencies again.
COPY pom.xml ./
COPY connectors/pom.xml connectors/
COPY engine/pom.xml engine/
COPY rules/pom.xml rules/
COPY simulator/pom.xml simulator/
COPY app/pom.xml app/
COPY connectors/src connectors/src
COPY engine/src engine/src
COPY rules/pack rules/pack
COPY simulator/src simulator/src
COPY simulator/scenarios simulator/scenarios
COPY app/src app/src
RUN mvn -B -ntp -DskipTests package

FROM ${RUNTIME_IMAGE}
RUN groupadd --system leakwatch && useradd --system --gid leakwatch --home-dir /data --shell /usr/sbin/nologin leakwatch \
    && mkdir -p /config /rules /data && chown leakwatch:leakwatch /data
COPY --from=build /src/app/target/leakwatch.jar /opt/leakwatch/leakwatch.jar
COPY LICENSE /opt/leakwatch/LICENSE
USER leakwatch
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443
# The JRE image may have neither curl nor wget: the jar asks its own API, with the configured token
# and certificate, and exits 0 only on a 200. A small heap: it lives for one request.
HEALTHCHECK --interval=30s --timeout=15s --start-period=90s --retries=3 \
    CMD ["java", "-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "/opt/leakwatch/leakwatch.jar", \
         "health", "--config", "/config/leakwatch.yaml"]
# Heap follows the container's memory limit (75% of it; the rest is metaspace, threads and the
# health check's JVM); out of memory exits so the orchestrator restarts the container, and SIGTERM
# lets every org finish its batch and save its checkpoint. Extra flags: JDK_JAVA_OPTIONS.
# Logs are JSON lines on standard error.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:InitialRAMPercentage=25", "-XX:+ExitOnOutOfMemoryError", \
            "-jar", "/opt/leakwatch/leakwatch.jar"]
CMD ["run", "--config", "/config/leakwatch.yaml"]
