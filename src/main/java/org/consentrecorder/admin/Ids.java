package org.consentrecorder.admin;

import java.util.UUID;
import java.util.regex.Pattern;

/** Record ids in paths and parameters: canonical UUIDs only. */
public final class Ids {
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    public static UUID parse(String what, String value) {
        if (value == null || !UUID_TEXT.matcher(value).matches()) {
            throw ApiError.badRequest("'" + QueryInput.clip(value == null ? "" : value) + "' is not a valid " + what
                    + " (a UUID such as 3f2b8c1e-0000-4000-8000-000000000000)");
        }
        return UUID.fromString(value);
    }
}
