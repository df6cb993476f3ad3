package io.flinkasr.records;

/** The ICE job states, in the only order a job may move through them. */
public enum JobState {
    Created,
    Executing,
    Finished,
    Failed;

    public boolean isFinal() {
        return this == Finished || this == Failed;
    }

    /** Whether a job showing {@code this} may show {@code next}: states only move forward. */
    public boolean mayMoveTo(JobState next) {
        if (isFinal()) {
            return false;
        }
        return next.ordinal() >= ordinal();
    }
}
