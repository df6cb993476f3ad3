package io.flinkasr.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.util.Optional;

/**
 * Where a client wants to be told that its job ended: {@code UserData.NotifyAddress}, as ICE's clients
 * write it ({@code {"NotifyAddress": "https://..."}}). Only http:// and https:// URLs are served (ICE's MNS
 * queue names are not).
 */
public final class NotifyAddress {
    public static final String FIELD = "NotifyAddress";

    private NotifyAddress() {}

    /**
     * The address in the UserData JSON, if it has a non-empty one.
     *
     * @throws IllegalArgumentException if NotifyAddress is there but not a string
     */
    public static Optional<String> in(String userData) {
        if (userData == null || userData.isBlank()) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(userData);
        } catch (Exception e) {
            return Optional.empty();
        }
        JsonNode address = node == null ? null : node.get(FIELD);
        if (address == null || address.isNull()) {
            return Optional.empty();
        }
        if (!address.isTextual()) {
            throw new IllegalArgumentException("it must be a string.");
        }
        return address.asText().isBlank() ? Optional.empty() : Optional.of(address.asText().strip());
    }
}
