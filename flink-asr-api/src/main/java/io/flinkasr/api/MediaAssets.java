package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.Json;
import io.flinkasr.records.MediaAsset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * ICE's media asset actions, as far as ASR jobs need them: RegisterMediaInfo turns an InputURL into a
 * MediaId that SubmitASRJob accepts as its InputFile; GetMediaInfo shows an asset by MediaId or InputURL.
 * Assets belong to the user who registered them and survive restarts (a compacted topic).
 */
final class MediaAssets {
    private static final Set<String> TYPES = Set.of("video", "audio", "image", "text", "other");
    private static final int MAX_URL_BYTES = 2048;

    private MediaAssets() {}

    static ObjectNode register(String requestId, AccessKey caller, Map<String, String> params, Catalog catalog) {
        String url = params.get("InputURL");
        if (url == null || url.isBlank()) {
            throw IceException.missing("InputURL");
        }
        if (url.getBytes(StandardCharsets.UTF_8).length > MAX_URL_BYTES || url.chars().anyMatch(c -> c < 0x20)) {
            throw IceException.invalid("InputURL", "it must be a URL or path of at most " + MAX_URL_BYTES + " bytes.");
        }
        String type = params.getOrDefault("MediaType", "");
        if (!type.isEmpty() && !TYPES.contains(type)) {
            throw IceException.invalid("MediaType", "use video, audio, image, text or other.");
        }
        MediaAsset existing = catalog.assetOf(url.strip(), caller.userId);
        boolean overwrite = "true".equalsIgnoreCase(params.get("Overwrite"));
        if (existing != null && !overwrite) {
            throw new IceException(400, "InvalidParameter.InputURL",
                    "The InputURL is already registered as media " + existing.mediaId + "; set Overwrite=true to register it again.");
        }
        MediaAsset asset = new MediaAsset();
        asset.mediaId = existing != null ? existing.mediaId : UUID.randomUUID().toString().replace("-", "");
        asset.userId = caller.userId;
        asset.inputUrl = url.strip();
        asset.mediaType = type.isEmpty() ? null : type;
        asset.title = bounded(params, "Title");
        asset.description = bounded(params, "Description");
        asset.referenceId = bounded(params, "ReferenceId");
        String userData = params.get("UserData");
        if (userData != null && !userData.isEmpty()) {
            SubmitParameters.jsonObject("UserData", userData);
            asset.userData = userData;
        }
        long now = Instant.now().toEpochMilli();
        asset.createTime = existing != null ? existing.createTime : now;
        asset.modifiedTime = now;
        catalog.register(asset);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        body.put("MediaId", asset.mediaId);
        return body;
    }

    static ObjectNode get(String requestId, AccessKey caller, Map<String, String> params, Catalog catalog) {
        String mediaId = params.get("MediaId");
        String url = params.get("InputURL");
        MediaAsset asset;
        if (mediaId != null && !mediaId.isEmpty()) {
            asset = catalog.asset(mediaId, caller.userId);
        } else if (url != null && !url.isEmpty()) {
            asset = catalog.assetOf(url.strip(), caller.userId);
        } else {
            throw IceException.missing("MediaId");
        }
        if (asset == null) {
            throw new IceException(404, "InvalidParameter.MediaId", "The specified media does not exist.");
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        ObjectNode info = body.putObject("MediaInfo");
        info.put("MediaId", asset.mediaId);
        ObjectNode basic = info.putObject("MediaBasicInfo");
        basic.put("MediaId", asset.mediaId);
        basic.put("InputURL", asset.inputUrl);
        put(basic, "MediaType", asset.mediaType);
        put(basic, "Title", asset.title);
        put(basic, "Description", asset.description);
        put(basic, "ReferenceId", asset.referenceId);
        put(basic, "UserData", asset.userData);
        basic.put("Status", "Normal");
        basic.put("CreateTime", IceResponses.time(asset.createTime));
        basic.put("ModifiedTime", IceResponses.time(asset.modifiedTime));
        info.putArray("FileInfoList").addObject().putObject("FileBasicInfo").put("FileUrl", asset.inputUrl);
        return body;
    }

    private static String bounded(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > SubmitParameters.MAX_TITLE_BYTES) {
            throw IceException.invalid(name, "it can be up to " + SubmitParameters.MAX_TITLE_BYTES + " bytes in length.");
        }
        return value;
    }

    private static void put(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
