#!/usr/bin/env bash
# Entrypoint of the flink-asr image.
#
# The Flink image's /docker-entrypoint.sh edits $FLINK_HOME/conf/config.yaml in
# place at every start (jobmanager.rpc.address, blob/query ports,
# FLINK_PROPERTIES), so the conf folder must be writable. docker-compose
# therefore mounts ./flink-conf read-only at /opt/flink-asr/conf, and this
# script copies its files (config.yaml, optionally log4j*.properties) into
# $FLINK_HOME/conf before it hands over to the stock entrypoint
# (FLINK_DOCKER_ENTRYPOINT, /docker-entrypoint.sh in the Flink image; EntrypointScriptsTest runs this
# script with a stand-in there and the environment the compose file gives it).
set -euo pipefail

FLINK_HOME="${FLINK_HOME:-/opt/flink}"
ASR_CONF_DIR="${FLINK_ASR_CONF_DIR:-/opt/flink-asr/conf}"

if [ -d "$ASR_CONF_DIR" ]; then
    for f in "$ASR_CONF_DIR"/*; do
        if [ -f "$f" ]; then
            cp -f "$f" "$FLINK_HOME/conf/$(basename "$f")"
        fi
    done
fi

# jobmanager | taskmanager | any other command (pass-through)
exec "${FLINK_DOCKER_ENTRYPOINT:-/docker-entrypoint.sh}" "$@"
