package io.flinkasr.records;

/** A registered media asset (RegisterMediaInfo): a MediaId that stands for an InputURL, owned by one user. */
public class MediaAsset {
    public String mediaId;
    public long userId;
    public String inputUrl;
    public String mediaType;
    public String title;
    public String description;
    public String userData;
    public String referenceId;
    public long createTime;
    public long modifiedTime;

    public MediaAsset() {}
}
