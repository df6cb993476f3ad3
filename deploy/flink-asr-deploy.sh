#!/usr/bin/env bash
# flink-asr on an existing Flink 2.x session cluster and Kafka cluster, without Docker: the steps of the
# README's "Without Docker" section, one subcommand each. Needs bash and curl; talks to Flink through
# its REST API only (no `flink` CLI), so it works from any machine that reaches the JobManager's REST port.
# The compose file's submit service (deploy/submit-job.sh) and the cluster tests (ClusterUpgradeITCase)
# run this same script.
#
#   flink-asr-deploy.sh lib [--from JAR] [--out FILE] [--flink-home DIR]
#       the Vosk/JNA lib jar (flink-asr-vosk-lib.jar) for the cluster's lib/ folder
#   flink-asr-deploy.sh config
#       the config.yaml keys the cluster needs (print them, add them to every Flink process's config)
#   flink-asr-deploy.sh check --rest URL
#       checks that the running cluster has those keys (GET /jobmanager/config)
#   flink-asr-deploy.sh topics --bootstrap-servers HOST:PORT [--partitions N] [--replication-factor R]
#                              [--min-insync-replicas M] [--print]
#       creates the Kafka topics with Kafka's kafka-topics.sh (the job also creates missing ones at start)
#   flink-asr-deploy.sh upload --rest URL --jar JAR
#       uploads a job jar (POST /jars/upload) and prints jar-id=...
#   flink-asr-deploy.sh submit --rest URL (--jar JAR | --jar-id ID) [--savepoint PATH] [--parallelism N]
#                              [--entry-class CLASS] [--wait SECONDS] [--force] -- JOB ARGUMENTS
#       runs the job (POST /jars/:id/run); does nothing if a job named flink-asr already runs
#   flink-asr-deploy.sh stop --rest URL [--job ID] [--savepoint-dir DIR]
#       stops the running job with a savepoint (POST /jobs/:id/stop) and prints savepoint=...
#   flink-asr-deploy.sh upgrade --rest URL (--jar JAR | --jar-id ID) [--job ID] [--savepoint-dir DIR]
#                               [--parallelism N] [--entry-class CLASS] -- JOB ARGUMENTS
#       uploads the newer jar, stops the running job with a savepoint, starts the newer jar from it
#
# JOB ARGUMENTS are those of `flink-asr job`: --bootstrap-servers, --model, --media-root, -Dasr.key=value.
# Results go to stdout as name=value lines (jar-id, job-id, savepoint, seconds); progress to stderr.
set -euo pipefail
# a failure inside $(...) ends the script too, not just the substitution
shopt -s inherit_errexit

PROGRAM="flink-asr-deploy"
JOB_NAME="flink-asr"
ENTRY_CLASS="io.flinkasr.cli.JobMain"
LIB_JAR_NAME="flink-asr-vosk-lib.jar"
# A job in one of these states holds the topics: a second one must not be started beside it.
ACTIVE_STATES="INITIALIZING|CREATED|RUNNING|RESTARTING|RECONCILING|FAILING|CANCELLING"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { echo "$PROGRAM: $*" >&2; }
die() { echo "$PROGRAM: $*" >&2; exit 1; }
result() { echo "$1=$2"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------------------
# JSON without jq: the REST answers used here are flat enough for sed and grep.

# The string value of the last "key":"value" in the JSON on stdin (empty if none).
json_string() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | tail -n 1; }
# A JSON string literal of $1.
json_quote() {
    local s="$1"
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    s=${s//$'\r'/\\r}
    printf '"%s"' "$s"
}

# ---------------------------------------------------------------------------------------------------------
# REST

REST=""
# GET a path; the body on stdout; fails with the body on another status than 200.
rest_get() {
    local out status
    out=$(curl -sS --max-time 30 -w '\n%{http_code}' "$REST$1") || die "GET $REST$1 failed (is the JobManager's REST endpoint right?)"
    status=${out##*$'\n'}
    [ "$status" = 200 ] || die "GET $1 answered $status: ${out%$'\n'*}"
    printf '%s' "${out%$'\n'*}"
}
# POST JSON ($2) to a path; the body on stdout; fails with Flink's error lines on another status than 200/202.
rest_post() {
    local out status
    out=$(curl -sS --max-time 600 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' -d "$2" "$REST$1") \
        || die "POST $REST$1 failed"
    status=${out##*$'\n'}
    case "$status" in
        200 | 202) printf '%s' "${out%$'\n'*}" ;;
        *) die "POST $1 answered $status: $(errors "${out%$'\n'*}")" ;;
    esac
}
# Flink's {"errors":[...]} as text: escaped newlines and tabs made real, the Java stack frames left out.
errors() { printf '%s' "$1" | sed -e 's/\\n/\n/g' -e 's/\\t/  /g' | grep -v '^[[:space:]]*at \|^[[:space:]]*\.\.\. [0-9]* more' | sed -n 1,40p; }

require_rest() {
    [ -n "$REST" ] || die "--rest URL is required (the JobManager's REST endpoint, e.g. http://jobmanager:8081)"
    REST=${REST%/}
}

# Waits up to $1 seconds for the REST endpoint to answer.
await_rest() {
    local deadline=$((SECONDS + $1))
    until curl -fsS --max-time 5 -o /dev/null "$REST/overview" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || die "the JobManager's REST API at $REST did not answer within $1 s"
        sleep 1
    done
}

# The ids of the jobs named $JOB_NAME in an active state, one a line.
active_jobs() {
    local jobs id
    jobs=$(rest_get /jobs)
    for id in $(printf '%s' "$jobs" | grep -oE "\"id\":\"[0-9a-f]{32}\",\"status\":\"($ACTIVE_STATES)\"" \
        | sed 's/"id":"\([0-9a-f]*\)".*/\1/'); do
        if [ "$(job_name "$id")" = "$JOB_NAME" ]; then
            echo "$id"
        fi
    done
}
# The job's name (the first "name" of GET /jobs/:id; its vertices' names come after).
job_name() { rest_get "/jobs/$1" | grep -o '"name":"[^"]*"' | sed -n 1p | sed 's/"name":"\(.*\)"/\1/'; }
job_state() { rest_get "/jobs/$1" | grep -o '"state":"[A-Z_]*"' | sed -n 1p | sed 's/"state":"\(.*\)"/\1/'; }
# The highest parallelism of the job's vertices: what a replacement should run at.
job_parallelism() { rest_get "/jobs/$1" | grep -o '"parallelism":[0-9]*' | sed 's/.*://' | sort -n | tail -n 1; }

# The one running flink-asr job (or --job); fails if there is none or more than one.
the_job() {
    if [ -n "$1" ]; then
        echo "$1"
        return
    fi
    local jobs count
    jobs=$(active_jobs)
    count=$(printf '%s' "$jobs" | grep -c . || true)
    [ "$count" -ge 1 ] || die "no running job named $JOB_NAME at $REST"
    [ "$count" -eq 1 ] || die "$count jobs named $JOB_NAME run at $REST ($(echo $jobs)); name one with --job"
    echo "$jobs"
}

# Uploads $1; prints the jar id.
upload_jar() {
    [ -f "$1" ] || die "no job jar at $1"
    local out status id
    out=$(curl -sS --max-time 600 -w '\n%{http_code}' -X POST -F "jarfile=@$1;type=application/x-java-archive" "$REST/jars/upload") \
        || die "POST $REST/jars/upload failed"
    status=${out##*$'\n'}
    [ "$status" = 200 ] || die "uploading $1 answered $status: $(errors "${out%$'\n'*}")
(the cluster refuses jar uploads while web.submit.enable is false; see \`$PROGRAM config\`)"
    id=$(printf '%s' "${out%$'\n'*}" | json_string filename)
    [ -n "$id" ] || die "uploading $1: no file name in the answer ${out%$'\n'*}"
    basename "$id"
}

# Runs jar $1 with entry class $2, parallelism $3, savepoint $4 (or empty), program arguments $5...; prints the job id.
run_jar() {
    local jar_id="$1" entry="$2" parallelism="$3" savepoint="$4"
    shift 4
    local args="" a
    for a in "$@"; do
        args+="${args:+,}$(json_quote "$a")"
    done
    local body="{\"entryClass\":$(json_quote "$entry"),\"programArgsList\":[$args],\"parallelism\":$parallelism"
    if [ -n "$savepoint" ]; then
        body+=",\"savepointPath\":$(json_quote "$savepoint"),\"allowNonRestoredState\":false"
    fi
    body+="}"
    local id
    id=$(rest_post "/jars/$jar_id/run" "$body" | json_string jobid)
    [ -n "$id" ] || die "running $jar_id: no job id in the answer"
    echo "$id"
}

# Waits up to $2 seconds until job $1 is RUNNING with every task running.
await_running() {
    local deadline=$((SECONDS + $2)) details state
    while :; do
        details=$(rest_get "/jobs/$1")
        state=$(printf '%s' "$details" | grep -o '"state":"[A-Z_]*"' | sed -n 1p | sed 's/"state":"\(.*\)"/\1/')
        case "$state" in
            FAILED | CANCELED | FINISHED) die "job $1 is $state; see GET $REST/jobs/$1/exceptions" ;;
        esac
        # every vertex's "tasks" counts: all in RUNNING (none CREATED, SCHEDULED, DEPLOYING, INITIALIZING)
        if [ "$state" = RUNNING ] && ! printf '%s' "$details" | grep -o '"tasks":{[^}]*}' \
            | grep '"\(CREATED\|SCHEDULED\|DEPLOYING\|INITIALIZING\)":[1-9]' >/dev/null; then
            return
        fi
        [ "$SECONDS" -lt "$deadline" ] || die "job $1 not running with all its tasks within $2 s (state $state)"
        sleep 0.2
    done
}

# The cluster's default parallelism (GET /jobmanager/config; the REST run request would otherwise use 1).
default_parallelism() {
    local p
    p=$(rest_get /jobmanager/config | grep -o '"key":"parallelism.default","value":"[0-9]*"' | sed 's/.*"value":"\([0-9]*\)"/\1/' || true)
    echo "${p:-1}"
}

# Stops job $1 with a savepoint into $2 (empty: the cluster's execution.checkpointing.savepoint-dir);
# prints the savepoint's path once the job has FINISHED.
stop_with_savepoint() {
    local job="$1" dir="$2" body request answer status location state
    body="{\"drain\":false"
    [ -z "$dir" ] || body+=",\"targetDirectory\":$(json_quote "$dir")"
    body+="}"
    request=$(rest_post "/jobs/$job/stop" "$body" | json_string request-id)
    [ -n "$request" ] || die "stopping $job: no request id in the answer"
    local deadline=$((SECONDS + 600))
    while :; do
        [ "$SECONDS" -lt "$deadline" ] || die "the savepoint of $job did not complete within 600 s"
        answer=$(rest_get "/jobs/$job/savepoints/$request")
        status=$(printf '%s' "$answer" | grep -o '"status":{"id":"[A-Z_]*"' | sed 's/.*"id":"\(.*\)"/\1/' || true)
        if [ "$status" = COMPLETED ]; then
            location=$(printf '%s' "$answer" | json_string location)
            [ -n "$location" ] || die "the savepoint of $job failed; the job keeps running: $(errors "$answer")"
            break
        fi
        sleep 0.2
    done
    # stop-with-savepoint ends the job FINISHED once the savepoint is committed
    deadline=$((SECONDS + 120))
    until [ "$(job_state "$job")" = FINISHED ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "job $job did not finish within 120 s after its savepoint $location"
        sleep 0.2
    done
    echo "$location"
}

# ---------------------------------------------------------------------------------------------------------
# Subcommands

cmd_lib() {
    local from="" out="$LIB_JAR_NAME" flink_home=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --from) from="$2"; shift 2 ;;
            --out) out="$2"; shift 2 ;;
            --flink-home) flink_home="$2"; shift 2 ;;
            *) die "lib: unknown argument $1" ;;
        esac
    done
    if [ -z "$from" ]; then
        # the flink-asr-vosk-lib module's artifact (mvn package), else cut from the all-in-one jar
        for candidate in "$HERE"/../flink-asr-vosk-lib/target/"$LIB_JAR_NAME" "$HERE"/../flink-asr-app/target/flink-asr.jar; do
            if [ -f "$candidate" ]; then
                from="$candidate"
                break
            fi
        done
        [ -n "$from" ] || die "lib: no flink-asr-vosk-lib/target/$LIB_JAR_NAME and no flink-asr-app/target/flink-asr.jar; run mvn package, or give --from JAR"
    fi
    [ -f "$from" ] || die "lib: no jar at $from"
    command -v jar >/dev/null || die "lib: needs the JDK's jar tool on the PATH"
    local work
    work=$(mktemp -d)
    (cd "$work" && jar xf "$(cd "$(dirname "$from")" && pwd)/$(basename "$from")" org/vosk com/sun/jna linux-x86-64 io/flinkasr/recognition)
    # SharedVoskModel only: the rest of flink-asr stays in the job jar, loaded child-first
    find "$work/io/flinkasr/recognition" -type f ! -name 'SharedVoskModel*.class' -delete 2>/dev/null || true
    local f
    for f in io/flinkasr/recognition/SharedVoskModel.class org/vosk/LibVosk.class linux-x86-64/libvosk.so \
        com/sun/jna/Native.class com/sun/jna/linux-x86-64/libjnidispatch.so; do
        [ -f "$work/$f" ] || die "lib: $from has no $f"
    done
    mkdir -p "$(dirname "$out")"
    out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
    (cd "$work" && jar cf "$out" org com linux-x86-64 io)
    rm -rf "$work"
    say "wrote $out (Vosk, JNA with their natives, SharedVoskModel)"
    if [ -n "$flink_home" ]; then
        [ -d "$flink_home/lib" ] || die "lib: no lib/ folder in $flink_home"
        cp -f "$out" "$flink_home/lib/$LIB_JAR_NAME"
        say "copied to $flink_home/lib/$LIB_JAR_NAME; restart the cluster's processes to load it"
        out="$flink_home/lib/$LIB_JAR_NAME"
    fi
    result lib "$out"
}

# What every JobManager and TaskManager needs in its config.yaml (the key, the value, why). `check` reads
# the same table.
CONFIG_KEYS=(
    "required|classloader.parent-first-patterns.additional|org.vosk;com.sun.jna;io.flinkasr.recognition.SharedVoskModel|Vosk, JNA and the JVM's one model from lib/$LIB_JAR_NAME, not from the job jar: loaded once per TaskManager, kept through job restarts"
    "required|web.submit.enable|true|jar upload and run through the REST API (this script, the compose file's submit service)"
    "required|execution.checkpointing.dir|file:///shared/flink/checkpoints|a folder or object store every Flink process reaches (the job checkpoints exactly once every 2 s by itself)"
    "required|execution.checkpointing.savepoint-dir|file:///shared/flink/savepoints|where \`stop\` and \`upgrade\` put savepoints unless given --savepoint-dir"
    "recommended|execution.checkpointing.externalized-checkpoint-retention|RETAIN_ON_CANCELLATION|a lost JobManager without HA: resubmit from the newest retained chk-N"
    "recommended|metrics.reporter.prom.factory.class|org.apache.flink.metrics.prometheus.PrometheusReporterFactory|Prometheus metrics (the reporter jar is in the distribution's plugins/metrics-prometheus)"
    "recommended|metrics.reporter.prom.port|9249-9259|a port range: each Flink JVM on a host takes the first free one"
)

cmd_config() {
    [ $# -eq 0 ] || die "config: no arguments"
    cat <<EOF
# flink-asr: add to conf/config.yaml of every JobManager and TaskManager, then restart them
# (flat keys are valid Flink 2.x YAML; see flink-conf/config.yaml for the compose cluster's full file).
EOF
    local entry level key value why
    for entry in "${CONFIG_KEYS[@]}"; do
        IFS='|' read -r level key value why <<<"$entry"
        echo "# ($level) $why"
        echo "$key: $value"
    done
    cat <<EOF
# Environment of every TaskManager (e.g. in bin/config.sh's env or the service unit):
#   LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2   Vosk decodes with about 35 % less CPU with jemalloc
#                        (Debian: libjemalloc2) than with glibc's malloc
#   MALLOC_ARENA_MAX=2   where glibc stays: Vosk allocates natively from the recognising thread, and restarted
#                        jobs run on new threads
EOF
}

cmd_check() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --rest) REST="$2"; shift 2 ;;
            *) die "check: unknown argument $1" ;;
        esac
    done
    require_rest
    local config entry level key value why actual problem problems=0 pattern
    config=$(rest_get /jobmanager/config)
    for entry in "${CONFIG_KEYS[@]}"; do
        IFS='|' read -r level key value why <<<"$entry"
        actual=$(printf '%s' "$config" | grep -o "\"key\":\"${key//./\\.}\",\"value\":\"[^\"]*\"" | sed 's/.*"value":"\(.*\)"/\1/' || true)
        problem=""
        case "$key" in
            execution.checkpointing.dir | execution.checkpointing.savepoint-dir)
                [ -n "$actual" ] || problem="$key is not set" ;;
            web.submit.enable)
                [ "$actual" != false ] || problem="$key is false" ;;
            classloader.parent-first-patterns.additional)
                for pattern in ${value//;/ }; do
                    if [[ ";${actual//[\[\] ]/};" != *";$pattern;"* ]] && [[ ",${actual//[\[\] ]/}," != *",$pattern,"* ]]; then
                        problem="${problem:-$key }lacks $pattern "
                    fi
                done ;;
            *)
                [ "$actual" = "$value" ] || problem="$key is '$actual', not '$value'" ;;
        esac
        if [ -n "$problem" ] && [ "$level" = required ]; then
            say "needed: $problem: $why"
            problems=$((problems + 1))
        elif [ -n "$problem" ]; then
            say "recommended: $problem: $why"
        fi
    done
    [ "$problems" -eq 0 ] || die "$problems setting(s) of the cluster at $REST to change; \`$PROGRAM config\` prints them"
    say "the cluster at $REST has the settings flink-asr needs"
    result check ok
}

cmd_topics() {
    local bootstrap="" partitions=4 replication=1 min_isr="" print=false
    while [ $# -gt 0 ]; do
        case "$1" in
            --bootstrap-servers) bootstrap="$2"; shift 2 ;;
            --partitions) partitions="$2"; shift 2 ;;
            --replication-factor) replication="$2"; shift 2 ;;
            --min-insync-replicas) min_isr="$2"; shift 2 ;;
            --print) print=true; shift ;;
            *) die "topics: unknown argument $1" ;;
        esac
    done
    [ -n "$bootstrap" ] || die "topics: --bootstrap-servers HOST:PORT is required"
    local tool="${KAFKA_TOPICS:-}"
    if [ -z "$tool" ]; then
        if [ -n "${KAFKA_HOME:-}" ]; then
            tool="$KAFKA_HOME/bin/kafka-topics.sh"
        else
            tool=kafka-topics.sh
        fi
    fi
    # as JobTopics.ensureExist creates them: keyed by JobId; requests, states, assets compacted with records
    # up to 16 MiB; callbacks compacted; events a plain stream
    local big="--config cleanup.policy=compact --config max.message.bytes=16777216"
    local isr=""
    [ -z "$min_isr" ] || isr="--config min.insync.replicas=$min_isr"
    local topic name configs
    for topic in "asr-job-requests|$big" "asr-job-states|$big" "asr-media-assets|$big" \
        "asr-job-callbacks|--config cleanup.policy=compact" "asr-job-events|"; do
        IFS='|' read -r name configs <<<"$topic"
        # shellcheck disable=SC2086
        set -- "$tool" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
            --partitions "$partitions" --replication-factor "$replication" $configs $isr
        if [ "$print" = true ]; then
            echo "$*"
        else
            "$@" >&2 || die "topics: $tool failed for $name (set KAFKA_HOME, or run with --print and create them by hand)"
            result topic "$name"
        fi
    done
}

cmd_upload() {
    local jar=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --rest) REST="$2"; shift 2 ;;
            --jar) jar="$2"; shift 2 ;;
            *) die "upload: unknown argument $1" ;;
        esac
    done
    require_rest
    [ -n "$jar" ] || die "upload: --jar JAR is required"
    local id
    id=$(upload_jar "$jar")
    result jar-id "$id"
}

cmd_submit() {
    local jar="" jar_id="" savepoint="" parallelism="" entry="$ENTRY_CLASS" wait=0 force=false
    while [ $# -gt 0 ]; do
        case "$1" in
            --rest) REST="$2"; shift 2 ;;
            --jar) jar="$2"; shift 2 ;;
            --jar-id) jar_id="$2"; shift 2 ;;
            --savepoint) savepoint="$2"; shift 2 ;;
            --parallelism) parallelism="$2"; shift 2 ;;
            --entry-class) entry="$2"; shift 2 ;;
            --wait) wait="$2"; shift 2 ;;
            --force) force=true; shift ;;
            --) shift; break ;;
            *) die "submit: unknown argument $1 (job arguments go after --)" ;;
        esac
    done
    require_rest
    [ -n "$jar" ] || [ -n "$jar_id" ] || die "submit: --jar JAR or --jar-id ID is required"
    [ "$wait" -eq 0 ] || await_rest "$wait"
    local running
    running=$(active_jobs)
    if [ -n "$running" ] && [ "$force" != true ]; then
        say "a job named $JOB_NAME already runs at $REST ($(echo $running)); not submitting another (--force does)"
        result job-id "$(echo "$running" | sed -n 1p)"
        result submitted false
        return
    fi
    [ -n "$parallelism" ] || parallelism=$(default_parallelism)
    [ -n "$jar_id" ] || jar_id=$(upload_jar "$jar")
    result jar-id "$jar_id"
    local t0 job
    t0=$(now)
    say "running $entry from $jar_id at parallelism $parallelism${savepoint:+, restoring $savepoint}"
    job=$(run_jar "$jar_id" "$entry" "$parallelism" "$savepoint" "$@")
    result job-id "$job"
    await_running "$job" 300
    say "job $job RUNNING with all its tasks $(since "$t0") s after the run request"
    result submitted true
}

cmd_stop() {
    local job="" dir=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --rest) REST="$2"; shift 2 ;;
            --job) job="$2"; shift 2 ;;
            --savepoint-dir) dir="$2"; shift 2 ;;
            *) die "stop: unknown argument $1" ;;
        esac
    done
    require_rest
    job=$(the_job "$job")
    local t0 savepoint
    t0=$(now)
    savepoint=$(stop_with_savepoint "$job" "$dir")
    say "job $job stopped with a savepoint in $(since "$t0") s: $savepoint"
    result savepoint "$savepoint"
}

cmd_upgrade() {
    local jar="" jar_id="" job="" dir="" parallelism="" entry="$ENTRY_CLASS"
    while [ $# -gt 0 ]; do
        case "$1" in
            --rest) REST="$2"; shift 2 ;;
            --jar) jar="$2"; shift 2 ;;
            --jar-id) jar_id="$2"; shift 2 ;;
            --job) job="$2"; shift 2 ;;
            --savepoint-dir) dir="$2"; shift 2 ;;
            --parallelism) parallelism="$2"; shift 2 ;;
            --entry-class) entry="$2"; shift 2 ;;
            --) shift; break ;;
            *) die "upgrade: unknown argument $1 (job arguments go after --)" ;;
        esac
    done
    require_rest
    [ -n "$jar" ] || [ -n "$jar_id" ] || die "upgrade: --jar JAR or --jar-id ID is required"
    job=$(the_job "$job")
    # the newer jar is on the cluster before the old job stops: a failed upload changes nothing
    [ -n "$jar_id" ] || jar_id=$(upload_jar "$jar")
    result jar-id "$jar_id"
    [ -n "$parallelism" ] || parallelism=$(job_parallelism "$job")
    local t0 savepoint t1 new
    t0=$(now)
    say "stopping job $job with a savepoint"
    savepoint=$(stop_with_savepoint "$job" "$dir")
    result stopped-job-id "$job"
    result savepoint "$savepoint"
    result stop-seconds "$(since "$t0")"
    say "job $job stopped with a savepoint in $(since "$t0") s: $savepoint"
    t1=$(now)
    if ! new=$(run_jar "$jar_id" "$entry" "$parallelism" "$savepoint" "$@"); then
        say "the newer jar did not start; nothing was lost: every job in flight is in the savepoint."
        say "to go back, run the previous jar from it: $0 submit --rest $REST --jar PREVIOUS.jar --savepoint $savepoint -- JOB ARGUMENTS"
        exit 1
    fi
    result job-id "$new"
    await_running "$new" 300
    result start-seconds "$(since "$t1")"
    say "job $new (from $jar_id) RUNNING with all its tasks $(since "$t1") s after the run request; down $(since "$t0") s in all"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; }

main() {
    [ $# -gt 0 ] || { usage; exit 2; }
    local command="$1"
    shift
    case "$command" in
        lib) cmd_lib "$@" ;;
        config) cmd_config "$@" ;;
        check) cmd_check "$@" ;;
        topics) cmd_topics "$@" ;;
        upload) cmd_upload "$@" ;;
        submit) cmd_submit "$@" ;;
        stop) cmd_stop "$@" ;;
        upgrade) cmd_upgrade "$@" ;;
        -h | --help | help) usage ;;
        *) usage; die "unknown subcommand $command" ;;
    esac
}

main "$@"
