package io.flinkasr.records;

/** Where a completion callback stands: waiting for its next attempt, delivered, or given up. */
public enum CallbackState {
    Pending,
    Delivered,
    GaveUp
}
