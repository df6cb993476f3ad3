package io.flinkasr.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of the access-key file: the tenant (UserId) a key belongs to, its secret, and its role on the
 * dashboard ({@value #OPERATOR} sees every tenant's jobs there; absent or {@value #TENANT}: its own only).
 * The role changes nothing in the ICE API, where every key speaks for its own tenant.
 */
public class AccessKey {
    public static final String TENANT = "tenant";
    public static final String OPERATOR = "operator";

    public long userId;
    public String accessKeyId;
    public String accessKeySecret;
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String role;

    public AccessKey() {}

    public AccessKey(long userId, String accessKeyId, String accessKeySecret) {
        this.userId = userId;
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
    }

    /** Whether the dashboard shows this key every tenant's jobs. */
    @JsonIgnore
    public boolean operator() {
        return OPERATOR.equals(role);
    }

    /** Never prints the secret. */
    @Override
    @JsonIgnore
    public String toString() {
        return "AccessKey{" + accessKeyId + " of user " + userId + "}";
    }
}
