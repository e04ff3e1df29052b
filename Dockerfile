# syntax=docker/dockerfile:1
#
# consent-recorder application image (multi-stage).
#   build:   Maven + JDK 17 builds the one shaded, runnable jar
#   runtime: JRE 17 only, non-root
# Used by docker-compose.yml (service "app"); build context: the repository root
# (see .dockerignore).

FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /build
# ~/.m2 lives in a BuildKit cache mount: dependencies are downloaded once, not
# on every source change. Tests are run by CI, not in the image build.
COPY pom.xml ./
COPY src ./src
# the words of the shipped prompts are read into the jar (they go into the consent evidence)
COPY asterisk-config/sounds ./asterisk-config/sounds
RUN --mount=type=cache,target=/root/.m2 \
    set -eu; \
    mvn -B -q -DskipTests package; \
    set -- target/consent-recorder-*.jar; \
    if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then \
        echo "expected exactly one target/consent-recorder-*.jar, found: $*" >&2; exit 1; \
    fi; \
    cp "$1" /build/consent-recorder.jar

FROM eclipse-temurin:17.0.16_8-jre-noble AS runtime

# curl for the health check (the Temurin Ubuntu images ship it today; install
# it if a future base image does not).
RUN set -eux; \
    if ! command -v curl >/dev/null 2>&1; then \
        apt-get update; \
        apt-get install -y --no-install-recommends curl; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd --system --gid 10001 consent; \
    useradd --system --uid 10001 --gid consent --home-dir /app --shell /usr/sbin/nologin consent; \
    install -d -o consent -g consent -m 0750 /app; \
    install -d -o consent -g consent -m 0700 /app/data

COPY --from=build --chown=root:root /build/consent-recorder.jar /app/consent-recorder.jar
# the JVM options the product ships with (a low-pause collector, the JIT niced; why: in the file)
COPY --chown=root:root deploy/jvm.options /app/jvm.options

USER consent
WORKDIR /app
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
    CMD curl -fsS --max-time 3 "http://127.0.0.1:${CR_HTTP_PORT:-8080}/health/ready" >/dev/null || exit 1

ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/consent-recorder.jar"]
