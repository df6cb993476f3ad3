package io.flinkasr.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access keys the API accepts, from a JSON array of {@code {"userId", "accessKeyId",
 * "accessKeySecret"}} and, optionally, {@code "role": "operator"} (see {@link AccessKey}). The first key's tenant is the default one for unsigned local use.
 */
public final class AccessKeys {
    /** The secret of {@code deploy/users.example.json}: public, so never a key. */
    static final String EXAMPLE_SECRET = "replace-with-a-long-random-secret";

    private final Map<String, AccessKey> byId = new LinkedHashMap<>();

    /** An access-key file the API cannot start with; the message says why, in one line. */
    public static final class InvalidKeys extends IllegalArgumentException {
        InvalidKeys(String message) {
            super(message);
        }
    }

    public AccessKeys(List<AccessKey> keys) {
        if (keys.isEmpty()) {
            throw new InvalidKeys("the access-key file names no key");
        }
        for (AccessKey key : keys) {
            if (key.accessKeyId == null || key.accessKeyId.isBlank() || key.accessKeySecret == null
                    || key.accessKeySecret.isBlank()) {
                throw new InvalidKeys("every access key needs an accessKeyId and an accessKeySecret");
            }
            if (key.role != null && !key.role.equals(AccessKey.TENANT) && !key.role.equals(AccessKey.OPERATOR)) {
                throw new IllegalArgumentException("access key " + key.accessKeyId + " has role '" + key.role
                        + "': use \"" + AccessKey.TENANT + "\" or \"" + AccessKey.OPERATOR + "\"");
            }
            if (byId.put(key.accessKeyId, key) != null) {
                throw new InvalidKeys("access key " + key.accessKeyId + " is listed twice");
            }
            if (key.accessKeySecret.equals(EXAMPLE_SECRET)) {
                throw new InvalidKeys("access key " + key.accessKeyId + " has the example's secret, which anybody can read:"
                        + " give it a long random one (openssl rand -hex 24)");
            }
        }
    }

    public static AccessKeys load(Path file) throws IOException {
        return new AccessKeys(Json.MAPPER.readValue(file.toFile(), new TypeReference<List<AccessKey>>() {}));
    }

    /** Writes a file with one new random key, readable by its owner only, and returns its keys. */
    public static AccessKeys create(Path file) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[8];
        byte[] secret = new byte[15];
        random.nextBytes(id);
        random.nextBytes(secret);
        long userId = 1_000_000_000_000_000L + Math.floorMod(random.nextLong(), 8_000_000_000_000_000L);
        AccessKey key = new AccessKey(userId, "LTAI" + HexFormat.of().formatHex(id), HexFormat.of().formatHex(secret));
        key.role = AccessKey.OPERATOR; // whoever starts a local stack runs it: the dashboard shows them every tenant
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(List.of(key)));
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return new AccessKeys(List.of(key));
    }

    public Optional<AccessKey> find(String accessKeyId) {
        return Optional.ofNullable(byId.get(accessKeyId));
    }

    /**
     * The key that signs something for a tenant: the key with this id while it still belongs to the tenant,
     * else the tenant's first key; empty where the tenant has no key any more.
     */
    public Optional<AccessKey> signingKey(long userId, String accessKeyId) {
        AccessKey named = accessKeyId == null ? null : byId.get(accessKeyId);
        if (named != null && named.userId == userId) {
            return Optional.of(named);
        }
        return byId.values().stream().filter(k -> k.userId == userId).findFirst();
    }

    public AccessKey first() {
        return byId.values().iterator().next();
    }
}
