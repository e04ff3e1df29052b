package org.consentrecorder.ari;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.generated.models.Application;
import ch.loway.oss.ari4java.generated.models.Channel;
import ch.loway.oss.ari4java.generated.models.LiveRecording;
import ch.loway.oss.ari4java.generated.models.StoredRecording;
import ch.loway.oss.ari4java.tools.AriCallback;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Optional;

/**
 * The ARI operations this application uses, as Vert.x futures over ari4java's request builders.
 * Callbacks complete on the context that made the call (see {@link VertxAriHttpClient}).
 */
public final class AriClient {
    private final ARI ari;
    private final VertxAriHttpClient http;
    private final String application;

    public AriClient(ARI ari, VertxAriHttpClient http, String application) {
        this.ari = ari;
        this.http = http;
        this.application = application;
    }

    public String application() {
        return application;
    }

    /** The raw transport, for what ari4java would buffer whole (recording files). */
    public VertxAriHttpClient http() {
        return http;
    }

    @FunctionalInterface
    private interface Request<T> {
        void execute(AriCallback<T> callback) throws RestException;
    }

    private static <T> Future<T> call(Request<T> request) {
        Promise<T> promise = Promise.promise();
        try {
            request.execute(new AriCallback<>() {
                @Override
                public void onSuccess(T result) {
                    promise.tryComplete(result);
                }

                @Override
                public void onFailure(RestException e) {
                    promise.tryFail(new AriFailure(e.getCode(), e.getMessage(), e));
                }
            });
        } catch (RestException e) {
            promise.tryFail(new AriFailure(e.getCode(), e.getMessage(), e));
        }
        return promise.future();
    }

    public Future<Void> answer(String channelId) {
        return call(cb -> ari.channels().answer(channelId).execute(cb));
    }

    public Future<Void> play(String channelId, String playbackId, String media, String language) {
        return call(cb -> ari.channels().play(channelId, media).setPlaybackId(playbackId).setLang(language)
                .execute(new DiscardingCallback<>(cb)));
    }

    public Future<Void> stopPlayback(String playbackId) {
        return call(cb -> ari.playbacks().stop(playbackId).execute(cb));
    }

    public Future<Void> setVariable(String channelId, String name, String value) {
        return call(cb -> ari.channels().setChannelVar(channelId, name).setValue(value).execute(cb));
    }

    public Future<Void> continueInDialplan(String channelId, ContinueTarget target) {
        return call(cb -> {
            var request = ari.channels().continueInDialplan(channelId);
            if (!target.isNextPriority()) {
                request.setContext(target.context()).setExtension(target.extension()).setPriority(target.priority());
            }
            request.execute(cb);
        });
    }

    /** Keeps the channel's events coming after it leaves Stasis. */
    public Future<Void> subscribeToChannel(String channelId) {
        return call(cb -> ari.applications().subscribe(application, "channel:" + channelId)
                .execute(new DiscardingCallback<>(cb)));
    }

    public Future<Void> snoop(String channelId, String snoopId, String spy) {
        return call(cb -> ari.channels().snoopChannel(channelId, application).setSpy(spy).setAppArgs("snoop")
                .setSnoopId(snoopId).execute(new DiscardingCallback<>(cb)));
    }

    /** ifExists=fail: a name clash must never overwrite another call's audio. */
    public Future<Void> record(String channelId, String name, String format) {
        return call(cb -> ari.channels().record(channelId, name, format).setIfExists("fail").setBeep(false)
                .setMaxDurationSeconds(0).setTerminateOn("none").execute(new DiscardingCallback<>(cb)));
    }

    public Future<Void> hangup(String channelId) {
        return call(cb -> ari.channels().hangup(channelId).setReason("normal").execute(cb));
    }

    /** ARI pause: the paused part is cut out of the file; Asterisk reports the state as paused. */
    public Future<Void> pauseRecording(String name) {
        return call(cb -> ari.recordings().pause(name).execute(cb));
    }

    public Future<Void> unpauseRecording(String name) {
        return call(cb -> ari.recordings().unpause(name).execute(cb));
    }

    /** ARI mute: the muted part is written as silence; Asterisk does not report it. */
    public Future<Void> muteRecording(String name) {
        return call(cb -> ari.recordings().mute(name).execute(cb));
    }

    public Future<Void> unmuteRecording(String name) {
        return call(cb -> ari.recordings().unmute(name).execute(cb));
    }

    public Future<Void> stopRecording(String name) {
        return call(cb -> ari.recordings().stop(name).execute(cb));
    }

    /** Stops a live recording and throws its audio away (DELETE /recordings/live/{name}). */
    public Future<Void> cancelRecording(String name) {
        return call(cb -> ari.recordings().cancel(name).execute(cb));
    }

    public Future<Void> deleteStoredRecording(String name) {
        return call(cb -> ari.recordings().deleteStored(name).execute(cb));
    }

    public Future<Optional<LiveRecording>> liveRecording(String name) {
        return AriClient.<LiveRecording>call(cb -> ari.recordings().getLive(name).execute(cb))
                .map(Optional::of)
                .recover(e -> notFound(e) ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
    }

    public Future<List<StoredRecording>> storedRecordings() {
        return call(cb -> ari.recordings().listStored().execute(cb));
    }

    public Future<Optional<Channel>> channel(String channelId) {
        return AriClient.<Channel>call(cb -> ari.channels().get(channelId).execute(cb))
                .map(Optional::of)
                .recover(e -> notFound(e) ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
    }

    public Future<List<Channel>> channels() {
        return call(cb -> ari.channels().list().execute(cb));
    }

    /** The channels the application holds: in Stasis, or subscribed to. */
    public Future<List<String>> applicationChannelIds() {
        return AriClient.<Application>call(cb -> ari.applications().get(application).execute(cb))
                .map(Application::getChannel_ids);
    }

    public static boolean notFound(Throwable e) {
        return e instanceof AriFailure f && f.notFound();
    }

    /** Adapts a typed callback to a Void one where only success matters. */
    private static final class DiscardingCallback<T> implements AriCallback<T> {
        private final AriCallback<Void> target;

        DiscardingCallback(AriCallback<Void> target) {
            this.target = target;
        }

        @Override
        public void onSuccess(T result) {
            target.onSuccess(null);
        }

        @Override
        public void onFailure(RestException e) {
            target.onFailure(e);
        }
    }
}
