package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.callbacks.NotifyAddress;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.records.Callback;
import io.flinkasr.records.Json;
import java.util.Optional;

/**
 * The API's side of completion callbacks: SubmitASRJob refuses a UserData.NotifyAddress that the media
 * fetcher's address policy would refuse (InvalidParameter.NotifyAddress), and GetSmartHandleJob shows where
 * the job's callback stands.
 */
final class NotifyAddresses {
    static final String CODE = "InvalidParameter.NotifyAddress";

    private NotifyAddresses() {}

    /** Refuses the NotifyAddress in UserData, if any, where it is no http(s) URL the policy permits. */
    static void check(String userData, OutboundAddresses policy) {
        Optional<String> address;
        try {
            address = NotifyAddress.in(userData);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        if (address.isEmpty()) {
            return;
        }
        try {
            policy.check(OutboundAddresses.url(address.get()));
        } catch (OutboundAddresses.Refused e) {
            throw refused(e.getMessage());
        }
    }

    private static IceException refused(String why) {
        return new IceException(400, CODE, "The NotifyAddress in UserData is not allowed: " + why);
    }

    /** {@code {State, Attempts, EventId, NextAttemptTime, LastError}}, the address left out (the client knows it). */
    static ObjectNode shown(Callback callback) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("State", callback.state.name());
        node.put("EventId", callback.eventId);
        node.put("Attempts", callback.attempts);
        if (callback.nextAttemptAt > 0 && callback.state == io.flinkasr.records.CallbackState.Pending) {
            node.put("NextAttemptTime", IceResponses.time(callback.nextAttemptAt));
        }
        if (callback.lastError != null) {
            node.put("LastError", callback.lastError);
        }
        return node;
    }
}
