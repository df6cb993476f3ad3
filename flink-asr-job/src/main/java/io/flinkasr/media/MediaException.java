package io.flinkasr.media;

/** A problem with one job's input, with the ICE-style ErrorCode the job ends with. */
public class MediaException extends Exception {
    private final String code;

    public MediaException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
