# Leakwatch engine image. Build: docker build -t leakwatch .
# Run:  docker run -v $PWD/config:/config:ro -v $PWD/rules:/rules:ro -v leakwatch-data:/data \
#         -e SF_ACCESS_TOKEN=... leakwatch run --config /config/leakwatch.yaml

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so a source change does not download the world again.
COPY pom.xml ./
COPY connectors/pom.xml connectors/
COPY engine/pom.xml engine/
COPY rules/pom.xml rules/
COPY simulator/pom.xml simulator/
COPY connectors/src connectors/src
COPY engine/src engine/src
COPY rules/pack rules/pack
COPY simulator/src simulator/src
RUN mvn -B -ntp -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system leakwatch && useradd --system --gid leakwatch --home-dir /data --shell /usr/sbin/nologin leakwatch \
    && mkdir -p /config /rules /data && chown leakwatch:leakwatch /data
COPY --from=build /src/simulator/target/leakwatch.jar /opt/leakwatch/leakwatch.jar
COPY LICENSE /opt/leakwatch/LICENSE
USER leakwatch
WORKDIR /data
VOLUME ["/data"]
# Heap follows the container's memory limit; the engine's state is small and mostly Esper windows.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/opt/leakwatch/leakwatch.jar"]
CMD ["run", "--config", "/config/leakwatch.yaml"]
