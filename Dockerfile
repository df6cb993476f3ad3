# syntax=docker/dockerfile:1
#
# flink-asr image: Flink 2.2.1 (Java 17) + ffmpeg + flink-asr's jars + the Vosk
# model. One image for the JobManager, the TaskManagers, the one-shot job
# submitter and the HTTP API.
#
# Build inputs (see .dockerignore) come from `mvn package`:
#   flink-asr-vosk-lib/target/flink-asr-vosk-lib.jar  Vosk + JNA (linux-x86-64 natives) + SharedVoskModel,
#                                                     for /opt/flink/lib
#   flink-asr-job/target/flink-asr-job.jar            the job, which submit-job.sh uploads and runs (REST)
#   flink-asr-app/target/flink-asr.jar                all-in-one jar; the api service runs it
#   flink-asr-app/target/model/model-en-us/           unpacked Vosk model
#
# The Vosk jar only contains linux-x86-64 natives, so the image is linux/amd64.

ARG FLINK_IMAGE=flink:2.2.1-java17

FROM ${FLINK_IMAGE}

USER root

# ffmpeg chunks the media; curl is used by the healthchecks and flink-asr-deploy.sh.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ffmpeg curl; \
    rm -rf /var/lib/apt/lists/*

# /checkpoints and the API's job store must exist and be owned by flink (uid 9999) so that a fresh
# named volume mounted there inherits that ownership.
RUN set -eux; \
    mkdir -p /opt/flink-asr/bin /opt/flink-asr/conf /checkpoints /media /var/lib/flink-asr/api-store; \
    chown flink:flink /checkpoints /var/lib/flink-asr/api-store

# The JobManager and the TaskManagers run with jemalloc, which Flink's entrypoint preloads (DISABLE_JEMALLOC
# unset): Vosk decodes with about 35 % less CPU than with glibc's malloc, whose free-chunk consolidation took
# a fifth of the recognition threads' CPU, and a recognizer freed on one thread is reused by the next (a
# restarted job's subtasks run on new threads). The API (entrypoint java, not Flink's) keeps glibc, with
# two arenas for the same reason: its store's memory figures were measured so.
ENV MALLOC_ARENA_MAX=2

# Vosk, JNA and SharedVoskModel (the JVM-wide model holder, so that job restarts share one model) on
# Flink's own class path. With classloader.parent-first-patterns.additional [org.vosk, com.sun.jna,
# io.flinkasr.recognition.SharedVoskModel] (flink-conf/config.yaml) each TaskManager JVM loads Vosk's
# native library and the model once rather than once per job attempt. The job jar leaves them out.
COPY flink-asr-vosk-lib/target/flink-asr-vosk-lib.jar /opt/flink/lib/flink-asr-vosk-lib.jar

# Large, rarely changing layers first.
COPY flink-asr-app/target/model /opt/flink-asr/model
COPY flink-asr-app/target/flink-asr.jar /opt/flink-asr/flink-asr.jar
COPY flink-asr-job/target/flink-asr-job.jar /opt/flink-asr/flink-asr-job.jar

# Built-in default configuration. docker-compose mounts ./flink-conf over
# /opt/flink-asr/conf; the entrypoint copies it into /opt/flink/conf.
COPY flink-conf/config.yaml /opt/flink-asr/conf/config.yaml
COPY --chmod=0755 deploy/flink-entrypoint.sh /opt/flink-asr/bin/entrypoint.sh
COPY --chmod=0755 deploy/submit-job.sh /opt/flink-asr/bin/submit-job.sh
COPY --chmod=0755 deploy/flink-asr-deploy.sh /opt/flink-asr/bin/flink-asr-deploy.sh

USER flink

ENTRYPOINT ["/opt/flink-asr/bin/entrypoint.sh"]
CMD ["help"]
