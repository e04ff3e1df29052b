package org.consentrecorder.call;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the notice set for a call. Precedence: an explicit Stasis argument {@code notice=<id>},
 * then the dialled number, then the channel language, then the default set.
 */
public final class NoticeCatalog {
    private final Map<String, NoticeSet> byId = new LinkedHashMap<>();
    private final NoticeSet defaultSet;

    public NoticeCatalog(List<NoticeSet> sets, String defaultId) {
        for (NoticeSet s : sets) {
            if (byId.putIfAbsent(s.id(), s) != null) {
                throw new IllegalArgumentException("notice set '" + s.id() + "' is defined twice");
            }
        }
        defaultSet = byId.get(defaultId);
        if (defaultSet == null) {
            throw new IllegalArgumentException("default notice set '" + defaultId + "' is not defined");
        }
    }

    public NoticeSet defaultSet() {
        return defaultSet;
    }

    public List<NoticeSet> all() {
        return List.copyOf(byId.values());
    }

    public Optional<NoticeSet> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public NoticeSet select(String dialledNumber, String channelLanguage, List<String> stasisArgs) {
        for (String arg : stasisArgs) {
            if (arg.startsWith("notice=")) {
                NoticeSet s = byId.get(arg.substring("notice=".length()));
                if (s != null) {
                    return s;
                }
            }
        }
        if (dialledNumber != null) {
            for (NoticeSet s : byId.values()) {
                if (s.dialledNumbers().contains(dialledNumber)) {
                    return s;
                }
            }
        }
        if (channelLanguage != null && !channelLanguage.isBlank()) {
            String lang = channelLanguage.toLowerCase(Locale.ROOT);
            for (NoticeSet s : byId.values()) {
                if (s.language().equalsIgnoreCase(lang)) {
                    return s;
                }
            }
            // "de_CH" falls back to "de"
            int sep = lang.indexOf('_');
            if (sep > 0) {
                String base = lang.substring(0, sep);
                for (NoticeSet s : byId.values()) {
                    if (s.language().equalsIgnoreCase(base)) {
                        return s;
                    }
                }
            }
        }
        return defaultSet;
    }
}
