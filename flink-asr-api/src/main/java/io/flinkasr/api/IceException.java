package io.flinkasr.api;

/** An error answered the way ICE answers it: an HTTP status, a Code and a Message, never a stack trace. */
public class IceException extends RuntimeException {
    private final int status;
    private final String code;

    public IceException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static IceException missing(String parameter) {
        return new IceException(400, "MissingParameter",
                "The input parameter \"" + parameter + "\" that is mandatory for processing this request is not supplied.");
    }

    public static IceException invalid(String parameter, String why) {
        return new IceException(400, "InvalidParameter", "The parameter \"" + parameter + "\" is invalid: " + why);
    }
}
