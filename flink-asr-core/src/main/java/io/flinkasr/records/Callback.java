package io.flinkasr.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A completion callback as the callbacks topic keeps it (compacted, key = JobId): the latest record of a
 * job is where its callback stands. A Pending record carries the event and when to try next; every failed
 * attempt writes a new Pending record (one more attempt, a later time), the end a Delivered or GaveUp one.
 * Whoever delivers reads the topic from the beginning when it starts, so a process killed at any point
 * goes on from the last record written: at least once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Callback {
    public String jobId;
    /** The event's id, the same on every attempt, so that receivers can drop repeats. */
    public String eventId;
    /** The tenant, whose access key signs the callback. */
    public long userId;
    /** The key that submitted the job (signs the callback while the tenant still has it). */
    public String accessKeyId;
    /** UserData.NotifyAddress. */
    public String address;
    /** The event, the exact body sent (a JSON object); kept until Delivered. */
    public String event;
    public CallbackState state;
    /** Attempts made so far. */
    public int attempts;
    /** Epoch milliseconds when the job's end was recorded: the give-up clock starts here. */
    public long createdAt;
    /** Epoch milliseconds of the next attempt (Pending). */
    public long nextAttemptAt;
    /** Epoch milliseconds of this record. */
    public long updatedAt;
    /** Why the last attempt failed. */
    public String lastError;

    public Callback() {}

    /** The record of the next step: the same callback in another state. */
    public Callback next(CallbackState state, long now) {
        Callback c = new Callback();
        c.jobId = jobId;
        c.eventId = eventId;
        c.userId = userId;
        c.accessKeyId = accessKeyId;
        c.address = address;
        c.event = state == CallbackState.Delivered ? null : event;
        c.state = state;
        c.attempts = attempts;
        c.createdAt = createdAt;
        c.nextAttemptAt = nextAttemptAt;
        c.updatedAt = now;
        c.lastError = lastError;
        return c;
    }

    @Override
    public String toString() {
        return "Callback{" + jobId + " " + state + " after " + attempts + " attempts}";
    }
}
