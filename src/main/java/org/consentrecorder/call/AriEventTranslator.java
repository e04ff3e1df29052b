package org.consentrecorder.call;

import ch.loway.oss.ari4java.generated.models.CallerID;
import ch.loway.oss.ari4java.generated.models.Channel;
import ch.loway.oss.ari4java.generated.models.ChannelDestroyed;
import ch.loway.oss.ari4java.generated.models.ChannelDtmfReceived;
import ch.loway.oss.ari4java.generated.models.ChannelHangupRequest;
import ch.loway.oss.ari4java.generated.models.ChannelUserevent;
import ch.loway.oss.ari4java.generated.models.Dial;
import ch.loway.oss.ari4java.generated.models.LiveRecording;
import ch.loway.oss.ari4java.generated.models.Message;
import ch.loway.oss.ari4java.generated.models.Playback;
import ch.loway.oss.ari4java.generated.models.PlaybackFinished;
import ch.loway.oss.ari4java.generated.models.PlaybackStarted;
import ch.loway.oss.ari4java.generated.models.RecordingFailed;
import ch.loway.oss.ari4java.generated.models.RecordingFinished;
import ch.loway.oss.ari4java.generated.models.RecordingStarted;
import ch.loway.oss.ari4java.generated.models.StasisEnd;
import ch.loway.oss.ari4java.generated.models.StasisStart;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.ari.TriggerFrame;
import org.consentrecorder.config.ExternalText;

/**
 * Turns decoded ARI events into {@link CallEvent}s and tells where they go. Events this
 * application does not act on (ChannelVarset, ChannelDialplan, ...) are ignored here.
 *
 * <p>This is the one point where strings from Asterisk enter the call flow, so they are bounded and
 * cleaned here ({@link ExternalText#bounded}) before they reach the core, SQL and logs: a caller ID
 * is whatever the far end sent (NUL, CR/LF, kilobytes, broken UTF-16), and must never break the call
 * that carries it. Ids are left alone: Asterisk makes them (or we do), and they must round-trip.
 */
public final class AriEventTranslator {
    /** Asterisk's own limits where it has one (AST_MAX_EXTENSION 80, MAX_LANGUAGE 40, AST_MAX_UNIQUEID 150). */
    static final int MAX_CALLER_NUMBER = 80;
    static final int MAX_CALLER_NAME = 80;
    static final int MAX_DIALLED = 80;
    static final int MAX_CHANNEL_NAME = 256;
    static final int MAX_LANGUAGE = 40;
    static final int MAX_LINKED_ID = 150;
    static final int MAX_EVENT_NAME = 80;
    /** "dialled=" and a number of {@link #MAX_DIALLED}. */
    static final int MAX_ARG = 88;
    static final int MAX_ARGS = 32;
    static final int MAX_CAUSE = 256;
    /** ari.conf "channelvars = CHANNEL(linkedid)" puts the linkedid into every channel snapshot. */
    public static final String LINKEDID_VAR = "CHANNEL(linkedid)";
    static final String SNOOP_ARG = "snoop";
    /** The ARI event types {@link #translate} acts on; every other type is ignored. */
    public static final java.util.Set<String> HANDLED_TYPES = java.util.Set.of("StasisStart", "StasisEnd",
            "ChannelHangupRequest", "ChannelDestroyed", "ChannelDtmfReceived", "ChannelUserevent", "PlaybackStarted",
            "PlaybackFinished", "RecordingStarted", "RecordingFinished", "RecordingFailed", "Dial");

    private AriEventTranslator() {
    }

    public static RoutedEvent translate(Message m) {
        String type = m.getType();
        if (m instanceof StasisStart e) {
            Channel ch = e.getChannel();
            if (ch == null || ch.getId() == null) {
                return RoutedEvent.ignored(type);
            }
            List<String> args = e.getArgs() == null ? List.of() : e.getArgs().stream().limit(MAX_ARGS)
                    .map(a -> ExternalText.bounded(a, MAX_ARG)).toList();
            if (CallIds.isSnoop(ch.getId())) {
                return call(ch.getId(), new CallEvent.SnoopEnteredStasis(ch.getId()), type);
            }
            if (args.contains(SNOOP_ARG) || (ch.getName() != null && ch.getName().startsWith("Snoop/"))) {
                // a snoop channel that is not ours (another instance, or left over): the sweep decides
                return RoutedEvent.ignored(type);
            }
            return new RoutedEvent(RoutedEvent.Route.NEW_CALL, ch.getId(), null,
                    new CallEvent.Started(snapshot(ch), args, m.getAsterisk_id()), type);
        }
        if (m instanceof StasisEnd e) {
            String id = channelId(e.getChannel());
            if (CallIds.isSnoop(id)) {
                return call(id, new CallEvent.SnoopLeftStasis(id), type);
            }
            return channel(id, new CallEvent.StasisEnded(), type);
        }
        if (m instanceof ChannelHangupRequest e) {
            String id = channelId(e.getChannel());
            return CallIds.isSnoop(id) ? RoutedEvent.ignored(type) : channel(id, new CallEvent.HangupRequested(), type);
        }
        if (m instanceof ChannelDestroyed e) {
            String id = channelId(e.getChannel());
            return CallIds.isSnoop(id) ? RoutedEvent.ignored(type) : channel(id, new CallEvent.ChannelDestroyed(), type);
        }
        if (m instanceof ChannelDtmfReceived e) {
            String digit = e.getDigit();
            if (digit == null || digit.length() != 1) {
                return RoutedEvent.ignored(type);
            }
            return channel(channelId(e.getChannel()), new CallEvent.DtmfReceived(digit.charAt(0)), type);
        }
        if (m instanceof ChannelUserevent e) {
            return channel(channelId(e.getChannel()),
                    new CallEvent.UserEvent(ExternalText.bounded(e.getEventname(), MAX_EVENT_NAME)), type);
        }
        if (m instanceof PlaybackStarted e) {
            return playback(e.getPlayback(), p -> new CallEvent.PlaybackStarted(p.getId()), type);
        }
        if (m instanceof PlaybackFinished e) {
            return playback(e.getPlayback(), p -> new CallEvent.PlaybackFinished(p.getId(), "failed".equals(p.getState())), type);
        }
        if (m instanceof RecordingStarted e) {
            // the event's own time: when Asterisk started the file, the stereo legs' alignment (archive)
            java.time.Instant at = e.getTimestamp() == null ? null : e.getTimestamp().toInstant();
            return recording(e.getRecording(), r -> new CallEvent.RecordingStarted(r.getName(), at), type);
        }
        if (m instanceof RecordingFinished e) {
            return recording(e.getRecording(), r -> new CallEvent.RecordingFinished(r.getName(), r.getDuration()), type);
        }
        if (m instanceof RecordingFailed e) {
            return recording(e.getRecording(), r -> new CallEvent.RecordingFailed(r.getName(),
                    ExternalText.bounded(r.getCause(), MAX_CAUSE)), type);
        }
        if (m instanceof Dial e) {
            // the caller's channel (subscribed) dialled an agent and it answered: who the call is with
            String caller = channelId(e.getCaller());
            Channel peer = e.getPeer();
            if (caller == null || peer == null || peer.getName() == null || !"ANSWER".equals(e.getDialstatus())) {
                return RoutedEvent.ignored(type);
            }
            return new RoutedEvent(RoutedEvent.Route.PEER, caller, null, null, type, peer.getName());
        }
        return RoutedEvent.ignored(type);
    }

    /**
     * A trigger read straight off its frame (TriggerFrame), by the same rules as the decoded event above: the
     * digit must be one character, the event name is bounded, the channel routes it.
     */
    public static RoutedEvent translate(TriggerFrame t) {
        if (TriggerFrame.DTMF.equals(t.type())) {
            String digit = t.digit();
            if (digit == null || digit.length() != 1) {
                return RoutedEvent.ignored(t.type());
            }
            return channel(t.channelId(), new CallEvent.DtmfReceived(digit.charAt(0)), t.type());
        }
        if (TriggerFrame.USER_EVENT.equals(t.type())) {
            return channel(t.channelId(), new CallEvent.UserEvent(ExternalText.bounded(t.eventName(), MAX_EVENT_NAME)), t.type());
        }
        return RoutedEvent.ignored(t.type());
    }

    /** What the call flow keeps of a channel, every string bounded and cleaned. */
    public static ChannelSnapshot snapshot(Channel ch) {
        CallerID caller = ch.getCaller();
        String exten = ch.getDialplan() == null ? null : ch.getDialplan().getExten();
        return new ChannelSnapshot(ch.getId(), ExternalText.bounded(ch.getName(), MAX_CHANNEL_NAME),
                caller == null ? null : clean(caller.getNumber(), MAX_CALLER_NUMBER),
                caller == null ? null : clean(caller.getName(), MAX_CALLER_NAME),
                clean(exten, MAX_DIALLED), clean(ch.getLanguage(), MAX_LANGUAGE), linkedId(ch));
    }

    private static String clean(String s, int max) {
        return emptyToNull(ExternalText.bounded(s, max));
    }

    private static String linkedId(Channel ch) {
        Object vars;
        try {
            vars = ch.getChannelvars();
        } catch (UnsupportedOperationException e) {
            return null;
        }
        if (vars instanceof Map<?, ?> map) {
            Object v = map.get(LINKEDID_VAR);
            return v == null ? null : clean(v.toString(), MAX_LINKED_ID);
        }
        return null;
    }

    private static RoutedEvent playback(Playback p, java.util.function.Function<Playback, CallEvent> f, String type) {
        if (p == null || p.getId() == null) {
            return RoutedEvent.ignored(type);
        }
        Optional<UUID> callId = CallIds.callIdOf(p.getId());
        return callId.map(id -> new RoutedEvent(RoutedEvent.Route.CALL, null, id, f.apply(p), type))
                .orElseGet(() -> RoutedEvent.ignored(type));
    }

    private static RoutedEvent recording(LiveRecording r, java.util.function.Function<LiveRecording, CallEvent> f,
                                         String type) {
        if (r == null || r.getName() == null) {
            return RoutedEvent.ignored(type);
        }
        Optional<UUID> callId = CallIds.callIdOf(r.getName());
        return callId.map(id -> new RoutedEvent(RoutedEvent.Route.CALL, null, id, f.apply(r), type))
                .orElseGet(() -> RoutedEvent.ignored(type));
    }

    private static RoutedEvent channel(String channelId, CallEvent event, String type) {
        if (channelId == null) {
            return RoutedEvent.ignored(type);
        }
        return new RoutedEvent(RoutedEvent.Route.CHANNEL, channelId, null, event, type);
    }

    private static RoutedEvent call(String ourId, CallEvent event, String type) {
        return CallIds.callIdOf(ourId)
                .map(id -> new RoutedEvent(RoutedEvent.Route.CALL, null, id, event, type))
                .orElseGet(() -> RoutedEvent.ignored(type));
    }

    private static String channelId(Channel ch) {
        return ch == null ? null : ch.getId();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
