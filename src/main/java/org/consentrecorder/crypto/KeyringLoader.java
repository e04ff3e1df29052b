package org.consentrecorder.crypto;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link Keyring} from a JSON keyring file and/or the {@value #ENV_VAR} environment variable (formats in
 * docs/encryption-format.md, "Keyring"). Errors name the source and entry and never echo values, which may be keys.
 */
public final class KeyringLoader {

    public static final String ENV_VAR = "CR_KEYRING";
    public static final String FILE_FORMAT = "consent-recorder-keyring/1";

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private KeyringLoader() {
    }

    /** What one source contributed before merging. */
    private record Parsed(List<Kek> keks, KekId newest) {
    }

    /**
     * Loads from either or both sources; keys from both are merged (an id in both is an error, as is two sources
     * naming different newest KEKs).
     *
     * @param file     keyring file, or null
     * @param envValue the value of {@value #ENV_VAR}, or null / blank for none
     */
    public static Keyring load(Path file, String envValue) {
        List<Parsed> parts = new ArrayList<>();
        if (file != null) {
            parts.add(parseFile(file));
        }
        if (envValue != null && !envValue.isBlank()) {
            parts.add(parseEnvironmentValue(envValue));
        }
        if (parts.isEmpty()) {
            throw new KeyringException("no keyring configured: give a keyring file or set " + ENV_VAR);
        }
        List<Kek> all = new ArrayList<>();
        KekId newest = null;
        for (Parsed part : parts) {
            all.addAll(part.keks());
            if (part.newest() != null) {
                if (newest != null && !newest.equals(part.newest())) {
                    throw new KeyringException("keyring file and " + ENV_VAR + " name different newest KEKs ("
                            + newest + ", " + part.newest() + ")");
                }
                newest = part.newest();
            }
        }
        return Keyring.of(all, newest);
    }

    public static Keyring fromFile(Path file) {
        return load(file, null);
    }

    /** Reads {@value #ENV_VAR} from the process environment. */
    public static Keyring fromEnvironment() {
        return load(null, System.getenv(ENV_VAR));
    }

    /** Parses a value in the {@value #ENV_VAR} format (compact form, or a JSON document starting with '{'). */
    public static Keyring fromEnvironmentValue(String envValue) {
        return load(null, envValue);
    }

    private static Parsed parseFile(Path file) {
        String source = "keyring file " + file;
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyringException(source + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        try {
            return parseJson(new String(raw, StandardCharsets.UTF_8), source);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static Parsed parseEnvironmentValue(String value) {
        String trimmed = value.strip();
        return trimmed.startsWith("{") ? parseJson(trimmed, ENV_VAR) : parseCompact(trimmed, ENV_VAR);
    }

    /** {"format": "...", "newest": "id" (optional), "keys": [{"id": "name:version", "key": "base64"}]}. */
    private static Parsed parseJson(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the offending token, which could be key material: report the place only.
            JsonLocation at = e.getLocation();
            throw new KeyringException(source + ": not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new KeyringException(source + ": must be a JSON object");
        }
        checkFields(root, source, "format", "newest", "keys");
        JsonNode format = root.get("format");
        if (format == null || !FILE_FORMAT.equals(format.asText(null))) {
            throw new KeyringException(source + ": \"format\" must be \"" + FILE_FORMAT + "\"");
        }
        KekId newest = null;
        if (root.has("newest")) {
            newest = kekId(root.get("newest").asText(null), source + ": \"newest\"");
        }
        JsonNode keys = root.get("keys");
        if (keys == null || !keys.isArray()) {
            throw new KeyringException(source + ": \"keys\" must be an array");
        }
        if (keys.isEmpty()) {
            throw new KeyringException(source + ": no keys");
        }
        List<Kek> keks = new ArrayList<>();
        int index = 0;
        for (JsonNode entry : keys) {
            index++;
            String where = source + ": keys entry " + index;
            if (!entry.isObject()) {
                throw new KeyringException(where + " must be an object with \"id\" and \"key\"");
            }
            checkFields(entry, where, "id", "key");
            KekId id = kekId(entry.path("id").asText(null), where + " \"id\"");
            JsonNode key = entry.get("key");
            if (key == null || !key.isTextual()) {
                throw new KeyringException(where + " (" + id + "): \"key\" must be a base64 string");
            }
            keks.add(kek(id, key.asText(), where + " (" + id + ")"));
        }
        return new Parsed(keks, newest);
    }

    /** "name:version=base64" entries separated by ';', ',' or whitespace, plus optionally "newest=name:version". */
    private static Parsed parseCompact(String text, String source) {
        List<Kek> keks = new ArrayList<>();
        KekId newest = null;
        int index = 0;
        for (String entry : text.split("[;,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            index++;
            String where = source + ": entry " + index;
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new KeyringException(where + " is not of the form name:version=base64key");
            }
            String name = entry.substring(0, eq);
            String value = entry.substring(eq + 1);
            if (name.equals("newest")) {
                newest = kekId(value, where + " (newest)");
                continue;
            }
            KekId id = kekId(name, where);
            keks.add(kek(id, value, where + " (" + id + ")"));
        }
        if (keks.isEmpty()) {
            throw new KeyringException(source + ": no keys");
        }
        return new Parsed(keks, newest);
    }

    private static void checkFields(JsonNode object, String where, String... allowed) {
        List<String> known = List.of(allowed);
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new KeyringException(where + ": unknown field (allowed: " + String.join(", ", known) + ")");
            }
        }
    }

    private static KekId kekId(String text, String where) {
        Optional<KekId> id = KekId.tryParse(text);
        return id.orElseThrow(() -> new KeyringException(where + ": KEK id must look like name:version, e.g. kek-2026:3"
                + " (name: letters, digits, . _ -; version: positive integer)"));
    }

    private static Kek kek(KekId id, String base64, String where) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new KeyringException(where + ": key is not valid base64");
        }
        try {
            if (raw.length != SecretKeyMaterial.KEY_LENGTH) {
                throw new KeyringException(where + ": key decodes to " + raw.length + " bytes, expected "
                        + SecretKeyMaterial.KEY_LENGTH + " (AES-256)");
            }
            return Kek.of(id, raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
