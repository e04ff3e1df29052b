package org.consentrecorder.call;

import org.consentrecorder.config.ConfigReader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the notice sets. Without CR_NOTICES_FILE the shipped sets are used: one per language in
 * asterisk-config/sounds (copied onto the classpath by the build), with the words of each prompt
 * read from the .txt beside its .wav. The version is derived from the words, so it changes
 * whenever the wording does, and the evidence always points at the text the caller heard.
 */
public final class NoticeLoader {
    /** Languages shipped in asterisk-config/sounds. */
    public static final List<String> SHIPPED_LANGUAGES = List.of("en", "de");
    public static final String SOUND_DIR = "consent-recorder";

    private NoticeLoader() {
    }

    /** The prompt file names the application plays, per basis, as shipped in asterisk-config. */
    public static List<String> promptNames(LawfulBasis basis) {
        return basis == LawfulBasis.CONSENT
                ? List.of("notice-consent", "choice-consent", "invalid-choice", "not-recorded")
                : List.of("notice-li", "choice-li", "invalid-choice", "not-recorded");
    }

    public static NoticeCatalog load(ConfigReader r, LawfulBasis basis) {
        Optional<String> file = r.optional(CallSettingsLoader.NOTICES_FILE);
        String defaultId = r.string(CallSettingsLoader.NOTICE_DEFAULT, "en");
        List<NoticeSet> sets = new ArrayList<>();
        if (file.isPresent()) {
            fromFile(r, Path.of(file.get()), sets);
        } else {
            for (String language : SHIPPED_LANGUAGES) {
                shipped(language, basis).ifPresentOrElse(sets::add,
                        () -> r.problem(CallSettingsLoader.NOTICES_FILE, "the shipped notice texts for '" + language
                                + "' are missing from the classpath (build problem)"));
            }
        }
        if (sets.isEmpty()) {
            r.problem(CallSettingsLoader.NOTICES_FILE, "defines no notice set");
            return fallbackCatalog(basis);
        }
        try {
            return new NoticeCatalog(sets, defaultId);
        } catch (IllegalArgumentException e) {
            r.problem(CallSettingsLoader.NOTICE_DEFAULT, e.getMessage());
            return new NoticeCatalog(sets, sets.get(0).id());
        }
    }

    private static NoticeCatalog fallbackCatalog(LawfulBasis basis) {
        Prompt p = new Prompt("sound:silence/1", "");
        return new NoticeCatalog(List.of(new NoticeSet("none", "en", "none", p, p, p, p, Set.of())), "none");
    }

    static Optional<NoticeSet> shipped(String language, LawfulBasis basis) {
        List<String> names = promptNames(basis);
        List<Prompt> prompts = new ArrayList<>();
        for (String name : names) {
            String resource = "notices/" + language + "/" + SOUND_DIR + "/" + name + ".txt";
            try (InputStream in = NoticeLoader.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    return Optional.empty();
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                prompts.add(new Prompt("sound:" + SOUND_DIR + "/" + name, text));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        String version = language + "-" + basis.wire() + "-" + fingerprint(prompts);
        return Optional.of(new NoticeSet(language, language, version, prompts.get(0), prompts.get(1),
                prompts.get(2), prompts.get(3), Set.of()));
    }

    private static void fromFile(ConfigReader r, Path path, List<NoticeSet> sets) {
        String key = CallSettingsLoader.NOTICES_FILE;
        JsonObject root;
        try {
            root = new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            r.problem(key, "cannot read " + path + ": " + e.getMessage());
            return;
        } catch (DecodeException e) {
            r.problem(key, path + " is not valid JSON: " + e.getMessage());
            return;
        }
        JsonArray array = root.getJsonArray("sets");
        if (array == null) {
            r.problem(key, path + ": missing array \"sets\"");
            return;
        }
        Set<String> numbers = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String where = path + ": sets[" + i + "]";
            Object entry = array.getValue(i);
            if (!(entry instanceof JsonObject o)) {
                r.problem(key, where + " is not an object");
                continue;
            }
            String id = o.getString("id");
            String language = o.getString("language");
            if (id == null || id.isBlank() || language == null || language.isBlank()) {
                r.problem(key, where + " needs \"id\" and \"language\"");
                continue;
            }
            Prompt notice = prompt(r, o, "notice", where);
            Prompt choice = prompt(r, o, "choice", where);
            Prompt invalid = prompt(r, o, "invalidChoice", where);
            Prompt notRecorded = prompt(r, o, "notRecorded", where);
            if (notice == null || choice == null || invalid == null || notRecorded == null) {
                continue;
            }
            Set<String> dialled = new HashSet<>();
            JsonArray nums = o.getJsonArray("dialledNumbers", new JsonArray());
            for (Object n : nums) {
                String number = String.valueOf(n);
                if (!numbers.add(number)) {
                    r.problem(key, where + ": dialled number " + number + " is mapped to two notice sets");
                }
                dialled.add(number);
            }
            List<Prompt> prompts = List.of(notice, choice, invalid, notRecorded);
            String version = o.getString("version", id + "-" + fingerprint(prompts));
            sets.add(new NoticeSet(id, language, version, notice, choice, invalid, notRecorded, dialled));
        }
    }

    private static Prompt prompt(ConfigReader r, JsonObject set, String field, String where) {
        JsonObject p = set.getJsonObject(field);
        if (p == null || p.getString("uri") == null || p.getString("text") == null) {
            r.problem(CallSettingsLoader.NOTICES_FILE, where + ": \"" + field + "\" needs \"uri\" and \"text\"");
            return null;
        }
        String uri = p.getString("uri");
        if (!uri.matches("(sound|recording|number|digits|characters|tone):[^\\s]+")) {
            r.problem(CallSettingsLoader.NOTICES_FILE, where + ": \"" + field + "\" uri '" + uri
                    + "' is not an Asterisk media URI such as sound:consent-recorder/notice-consent");
            return null;
        }
        return new Prompt(uri, p.getString("text"));
    }

    /** First 12 hex digits of SHA-256 over the prompt URIs and words. */
    static String fingerprint(List<Prompt> prompts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Prompt p : prompts) {
                sha.update(p.uri().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(p.text().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
