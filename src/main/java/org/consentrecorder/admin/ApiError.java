package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;

/**
 * A failure to answer with a JSON body {@code {"error": code, "message": ...}}. Thrown or failed
 * into a routing context; the API's failure handler renders it. Messages are for the client and
 * never contain secrets.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final transient JsonObject extra;

    public ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiError(int status, String code, String message, JsonObject extra) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.extra = extra;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, "unavailable", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public JsonObject body() {
        JsonObject body = new JsonObject().put("error", code).put("message", getMessage());
        if (extra != null) {
            body.mergeIn(extra);
        }
        return body;
    }
}
