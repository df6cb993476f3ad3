# syntax=docker/dockerfile:1
#
# flink-asr image: Flink 2.2.1 (Java 17) + ffmpeg + the flink-asr fat jar + the
# Vosk model. One image for the JobManager, the TaskManagers, the one-shot
# job submitter and the HTTP API.
#
# Build inputs (see .dockerignore) come from `mvn package`:
#   target/flink-asr.jar         all-in-one jar, main class io.flinkasr.cli.FlinkAsr
#   target/flink-asr-job.jar     the job jar the submit service uploads (deploy/flink-asr-deploy.sh)
#   target/model/model-en-us/    unpacked Vosk model
#
# The Vosk jar only contains linux-x86-64 natives, so the image is linux/amd64.

ARG FLINK_IMAGE=flink:2.2.1-java17

# -----------------------------------------------------------------------------
# Stage 1: cut org.vosk + com.sun.jna (with libvosk.so / libjnidispatch.so) and flink-asr's
# SharedVoskModel (the JVM-wide model holder, so that job restarts share one model) out
# of the fat jar into a small jar for /opt/flink/lib. Together with
# classloader.parent-first-patterns.additional [org.vosk, com.sun.jna] this
# loads Vosk's native library once per TaskManager JVM rather than once per
# job attempt. The fat jar itself stays out of /opt/flink/lib, because it
# bundles Flink.
# -----------------------------------------------------------------------------
FROM ${FLINK_IMAGE} AS vosk-lib
USER root
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends unzip zip; \
    rm -rf /var/lib/apt/lists/*
COPY target/flink-asr.jar /tmp/flink-asr.jar
RUN set -eux; \
    mkdir -p /tmp/vosk-jna /out; \
    cd /tmp/vosk-jna; \
    unzip -q /tmp/flink-asr.jar 'org/vosk/*' 'com/sun/jna/*' 'linux-x86-64/*' \
        'io/flinkasr/recognition/SharedVoskModel*.class'; \
    test -f io/flinkasr/recognition/SharedVoskModel.class; \
    test -f org/vosk/LibVosk.class; \
    test -f linux-x86-64/libvosk.so; \
    test -f com/sun/jna/Native.class; \
    test -f com/sun/jna/linux-x86-64/libjnidispatch.so; \
    zip -q -r -X /out/flink-asr-vosk-jna.jar .

# -----------------------------------------------------------------------------
# Stage 2: runtime image
# -----------------------------------------------------------------------------
FROM ${FLINK_IMAGE}

USER root

# ffmpeg chunks the media; curl is used by the healthchecks and flink-asr-deploy.sh.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ffmpeg curl; \
    rm -rf /var/lib/apt/lists/*

# /checkpoints must exist and be owned by flink (uid 9999) so that a fresh named
# volume mounted there inherits that ownership.
RUN set -eux; \
    mkdir -p /opt/flink-asr/bin /opt/flink-asr/conf /checkpoints /media; \
    chown flink:flink /checkpoints

# Vosk allocates natively from whichever thread recognises; a restarted job's subtasks run on new threads.
# With glibc's default of 8 arenas per core, memory freed by the old threads stayed in their arenas and a
# TaskManager grew with every restart; two arenas let the next threads reuse it.
ENV MALLOC_ARENA_MAX=2
# The Flink image preloads jemalloc unless told not to; the restart-memory figures (ClusterCrashITCase) were
# measured with glibc and MALLOC_ARENA_MAX=2, so the image runs what was measured.
ENV DISABLE_JEMALLOC=true

# Vosk + JNA on Flink's own class path (parent-first, see stage 1).
COPY --from=vosk-lib /out/flink-asr-vosk-jna.jar /opt/flink/lib/flink-asr-vosk-jna.jar

# Large, rarely changing layer first.
COPY target/model /opt/flink-asr/model
COPY target/flink-asr.jar /opt/flink-asr/flink-asr.jar
# what the submit service uploads to the cluster (flink-asr-deploy.sh submit)
COPY target/flink-asr-job.jar /opt/flink-asr/flink-asr-job.jar

# Built-in default configuration. docker-compose mounts ./flink-conf over
# /opt/flink-asr/conf; the entrypoint copies it into /opt/flink/conf.
COPY flink-conf/config.yaml /opt/flink-asr/conf/config.yaml
COPY --chmod=0755 deploy/flink-entrypoint.sh /opt/flink-asr/bin/entrypoint.sh
COPY --chmod=0755 deploy/submit-job.sh /opt/flink-asr/bin/submit-job.sh
COPY --chmod=0755 deploy/flink-asr-deploy.sh /opt/flink-asr/bin/flink-asr-deploy.sh

USER flink

ENTRYPOINT ["/opt/flink-asr/bin/entrypoint.sh"]
CMD ["help"]
