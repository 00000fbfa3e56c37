# The Demandcast app image: `docker compose up` runs `forecaster run` from it.
# Build stage: the same Maven build as ./forecaster, without the tests.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY model-export/pom.xml model-export/
COPY stream-app/pom.xml stream-app/
COPY schemas/src schemas/src
COPY model-export/src model-export/src
COPY stream-app/src stream-app/src
RUN mvn -B -q -DskipTests package

# Run stage: a JRE, the app's jar and its runtime classpath (stream-app/target/lib), nothing else.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/stream-app/target/stream-app.jar /app/stream-app.jar
COPY --from=build /src/stream-app/target/lib /app/lib
RUN mkdir -p /models
# As ./forecaster does: TensorFlow's oneDNN kernels on CPUs where it would not turn them on by itself.
ENV TF_ENABLE_ONEDNN_OPTS=1
ENTRYPOINT ["java", "-cp", "/app/stream-app.jar:/app/lib/*", "io.demandcast.app.cli.ForecasterCli"]
CMD ["run"]
