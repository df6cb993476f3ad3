package io.flinkasr.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** One entry of the access-key file: the tenant (UserId) a key belongs to, and its secret. */
public class AccessKey {
    public long userId;
    public String accessKeyId;
    public String accessKeySecret;

    public AccessKey() {}

    public AccessKey(long userId, String accessKeyId, String accessKeySecret) {
        this.userId = userId;
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
    }

    /** Never prints the secret. */
    @Override
    @JsonIgnore
    public String toString() {
        return "AccessKey{" + accessKeyId + " of user " + userId + "}";
    }
}
