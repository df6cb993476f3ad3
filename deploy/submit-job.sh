#!/usr/bin/env bash
# One-shot submission of the flink-asr streaming job to the session cluster.
#
# - waits until the JobManager REST API answers,
# - does nothing if a job is already running there (so a second
#   `docker compose up` does not start a duplicate job; set FORCE_SUBMIT=true
#   to submit anyway),
# - restores from a savepoint / retained checkpoint if ASR_RESTORE_FROM is set
#   (e.g. file:///checkpoints/<job-id>/chk-42),
# - submits detached (`flink run -d`) and exits.
set -euo pipefail

REST_URL="${FLINK_REST_URL:-http://jobmanager:8081}"
JAR="${ASR_JAR:-/opt/flink-asr/flink-asr.jar}"
BOOTSTRAP_SERVERS="${ASR_BOOTSTRAP_SERVERS:-kafka:9092}"
MODEL_PATH="${ASR_MODEL_PATH:-/opt/flink-asr/model/model-en-us}"
MEDIA_ROOT="${ASR_MEDIA_ROOT:-/media}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"

echo "Waiting for the JobManager REST API at ${REST_URL} ..."
deadline=$((SECONDS + WAIT_SECONDS))
until curl -fsS "${REST_URL}/overview" >/dev/null 2>&1; do
    if [ "${SECONDS}" -ge "${deadline}" ]; then
        echo "JobManager REST API not reachable after ${WAIT_SECONDS}s" >&2
        exit 1
    fi
    sleep 2
done

if [ "${FORCE_SUBMIT:-false}" != "true" ] &&
    curl -fsS "${REST_URL}/jobs/overview" |
    grep -Eq '"state" *: *"(INITIALIZING|CREATED|RUNNING|RESTARTING|RECONCILING)"'; then
    echo "A job is already running on the cluster; not submitting another one."
    curl -fsS "${REST_URL}/jobs/overview"
    echo
    exit 0
fi

restore=()
if [ -n "${ASR_RESTORE_FROM:-}" ]; then
    echo "Restoring from ${ASR_RESTORE_FROM}"
    restore=(-s "${ASR_RESTORE_FROM}")
fi

set -x
exec flink run -d -c io.flinkasr.cli.FlinkAsr "${restore[@]}" "${JAR}" \
    job \
    --bootstrap-servers "${BOOTSTRAP_SERVERS}" \
    --model "${MODEL_PATH}" \
    --media-root "${MEDIA_ROOT}" \
    -Dasr.recognition.attempts-dir=file:///checkpoints/chunk-attempts \
    -Dasr.media.staging-dir=/checkpoints/staging
