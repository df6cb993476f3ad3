#!/usr/bin/env bash
# The compose file's one-shot `submit` service: submits the flink-asr job to the session cluster with
# flink-asr-deploy.sh (the same REST calls an operator without Docker makes, see the README), which
#
# - waits until the JobManager's REST API answers,
# - does nothing if a job named flink-asr already runs there (so a second `docker compose up` does not
#   start a duplicate; FORCE_SUBMIT=true submits anyway),
# - restores from a savepoint or retained checkpoint if ASR_RESTORE_FROM is set
#   (e.g. file:///checkpoints/<job-id>/chk-42),
# - uploads the job jar, runs it and waits until all its tasks run.
#
# Every value comes from the environment (the compose file sets them); ClusterUpgradeITCase runs this
# script against a test cluster.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="${ASR_DEPLOY_SCRIPT:-$HERE/flink-asr-deploy.sh}"

REST_URL="${FLINK_REST_URL:-http://jobmanager:8081}"
JAR="${ASR_JAR:-/opt/flink-asr/flink-asr-job.jar}"
BOOTSTRAP_SERVERS="${ASR_BOOTSTRAP_SERVERS:-kafka:9092}"
MODEL_PATH="${ASR_MODEL_PATH:-/opt/flink-asr/model/model-en-us}"
MEDIA_ROOT="${ASR_MEDIA_ROOT:-/media}"
ATTEMPTS_DIR="${ASR_ATTEMPTS_DIR:-file:///checkpoints/chunk-attempts}"
STAGING_DIR="${ASR_STAGING_DIR:-/checkpoints/staging}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"

options=(--rest "$REST_URL" --jar "$JAR" --wait "$WAIT_SECONDS")
if [ -n "${ASR_RESTORE_FROM:-}" ]; then
    options+=(--savepoint "$ASR_RESTORE_FROM")
fi
if [ "${FORCE_SUBMIT:-false}" = true ]; then
    options+=(--force)
fi

# ASR_JOB_ARGS: more arguments for the job, split at spaces (e.g. -Dasr.kafka.replication-factor=3)
# shellcheck disable=SC2086
exec "$DEPLOY" submit "${options[@]}" -- \
    --bootstrap-servers "$BOOTSTRAP_SERVERS" \
    --model "$MODEL_PATH" \
    --media-root "$MEDIA_ROOT" \
    "-Dasr.recognition.attempts-dir=$ATTEMPTS_DIR" \
    "-Dasr.media.staging-dir=$STAGING_DIR" \
    "-Dasr.checkpoint.trigger-url=${ASR_CHECKPOINT_TRIGGER_URL:-$REST_URL}" \
    ${ASR_JOB_ARGS:-}
