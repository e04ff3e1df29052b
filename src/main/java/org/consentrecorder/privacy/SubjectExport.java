package org.consentrecorder.privacy;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Pool;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.consentrecorder.archive.BackPressuredOutputStream;
import org.consentrecorder.audio.Codec;
import org.consentrecorder.archive.ReadStreamInputStream;
import org.consentrecorder.archive.RecordingArchive;

/**
 * The answer to a subject access request (GDPR Art. 15): a zip with a JSON manifest of every call,
 * consent decision (with the words the caller heard), pause timeline entry, recording and audit
 * entry about the subject, plus the subject's recordings decrypted. The manifest is gathered first
 * (metadata only); the zip is then written by {@link ExportBundleWriter} on a worker thread straight
 * into the HTTP response (or a file), with back-pressure, so neither a recording nor the bundle is
 * ever held in memory.
 *
 * <p>Audit entries are given without the operators' names and addresses: who in the company
 * consulted the data is the employees' personal data (CJEU C-579/21); the audit trail keeps them.
 * For the same reason the operators who decided, changed a preference or paused, resumed or stopped
 * a recording appear as "operator-1", "operator-2", ... ({@link OperatorPseudonyms}).
 */
public final class SubjectExport {
    public static final String FORMAT = "consent-recorder-subject-export/1";
    private static final Duration STALL = Duration.ofMinutes(2);
    private static final int OUTPUT_BUFFER = 64 * 1024;

    private final Vertx vertx;
    private final SubjectExportRepository rows;
    private final ConsentRegistryRepository consent;
    private final SubjectPseudonymRepository pseudonyms;
    private final Supplier<RecordingArchive> archive;
    private final PrivacySettings settings;
    private final Clock clock;
    private final WorkerExecutor workers;

    public SubjectExport(Vertx vertx, Pool pool, Supplier<RecordingArchive> archive, PrivacySettings settings,
                         Clock clock) {
        this.vertx = vertx;
        this.rows = new SubjectExportRepository(pool);
        this.consent = new ConsentRegistryRepository(pool);
        this.pseudonyms = new SubjectPseudonymRepository(pool);
        this.corrections = new CorrectionRepository(pool);
        this.archive = archive;
        this.settings = settings;
        this.clock = clock;
        // zip writing blocks: a small pool of its own, so exports never starve other blocking work
        this.workers = vertx.createSharedWorkerExecutor("cr-privacy-export", 2, 2, TimeUnit.HOURS);
    }

    private final CorrectionRepository corrections;

    /** The manifest and the recordings that go into the bundle. */
    public record Bundle(JsonObject manifest, List<ExportBundleWriter.RecordingFile> files) {
    }

    /** Gathers everything about the request's subject (metadata only; recordings are read while streaming). */
    public Future<Bundle> prepare(PrivacyRequest request) {
        String subject = request.subject();
        Future<RowsAndIds> calls = rows.calls(subject)
                .map(list -> RowsAndIds.of(json(list, SubjectExport::json), "id"));
        Future<RowsAndIds> decisions = calls.compose(c -> consent.decisionsOf(subject, c.ids())
                .map(list -> RowsAndIds.of(json(list, ConsentRegistryRepository.Decision::toJson), "call_id")));
        Future<JsonArray> timeline = decisions.compose(d -> rows.timeline(union(calls.result(), d))
                .map(list -> json(list, SubjectExport::json)));
        Future<RowsAndIds> recordings = rows.recordings(subject)
                .map(list -> RowsAndIds.of(json(list, SubjectExport::json), "id"));
        Future<JsonObject> preference = consent.preference(subject).map(p -> p.map(SubjectExport::json).orElse(null));
        Future<JsonArray> preferenceHistory = consent.preferenceHistory(subject)
                .map(list -> json(list, SubjectExport::json));
        Future<RowsAndIds> requests = rows.requests(subject)
                .map(list -> RowsAndIds.of(json(list, SubjectExport::json), "id"));
        Future<String> pseudonym = pseudonyms.find(subject).map(p -> p.orElse(null));
        Future<JsonArray> corrections = this.corrections.forSubject(subject).map(list -> json(list, SubjectExport::json));
        Future<JsonArray> audit = Future.all(decisions, recordings, requests, pseudonym).compose(all -> {
            Set<String> targets = new LinkedHashSet<>();
            targets.add(subject);
            if (pseudonym.result() != null) {
                targets.add(pseudonym.result());
            }
            for (UUID id : union(calls.result(), decisions.result())) {
                targets.add(id.toString());
            }
            recordings.result().ids().forEach(id -> targets.add(id.toString()));
            requests.result().ids().forEach(id -> targets.add(id.toString()));
            return rows.auditEntries(targets).map(list -> json(list, SubjectExport::json));
        });
        return Future.all(List.of(timeline, preference, preferenceHistory, audit, corrections)).map(all -> {
            JsonArray recordingList = recordings.result().rows();
            List<ExportBundleWriter.RecordingFile> files = new ArrayList<>();
            for (Object o : recordingList) {
                JsonObject r = (JsonObject) o;
                String state = r.getString("state");
                r.put("media_type", mediaType(r.getString("codec"), r.getString("format")));
                if (state != null && ArchiveState.fromWire(state).playable() && r.getString("sha256") != null) {
                    String path = "recordings/" + r.getString("id") + "." + extension(r.getString("codec"),
                            r.getString("format"));
                    r.put("file", path).put("how_to_play", howToPlay(r.getString("codec")));
                    files.add(new ExportBundleWriter.RecordingFile(UUID.fromString(r.getString("id")), path,
                            r.getLong("plaintext_bytes", 0L), r.getString("sha256")));
                } else {
                    r.put("file", null).put("why_no_file", whyNoFile(state));
                }
            }
            OperatorPseudonyms operators = new OperatorPseudonyms();
            operators.replace(decisions.result().rows(), "decided_by");
            operators.replaceTimeline(timeline.result());
            operators.replace(preference.result(), "changed_by");
            operators.replace(preferenceHistory.result(), "changed_by");
            JsonArray auditRows = audit.result();
            auditRows.forEach(o -> {
                JsonObject a = (JsonObject) o;
                String detail = a.getString("detail");
                a.put("detail", detail == null ? null : new JsonObject(detail));
            });
            JsonObject manifest = new JsonObject()
                    .put("format", FORMAT)
                    .put("generated_at", JsonTime.format(clock.instant()))
                    .put("request", new JsonObject().put("id", request.id().toString())
                            .put("received_at", JsonTime.format(request.receivedAt()))
                            .put("due_at", JsonTime.format(request.dueAt())))
                    .put("controller", controller())
                    .put("subject", subject)
                    .put("summary", new JsonObject()
                            .put("calls", calls.result().rows().size())
                            .put("consent_decisions", decisions.result().rows().size())
                            .put("timeline_entries", timeline.result().size())
                            .put("recordings", recordingList.size())
                            .put("recording_files", files.size())
                            .put("audit_entries", auditRows.size())
                            .put("corrections", corrections.result().size()))
                    .put("consent_preference", preference.result())
                    .put("consent_preference_history", preferenceHistory.result())
                    .put("calls", calls.result().rows())
                    .put("consent_decisions", decisions.result().rows())
                    .put("timeline", timeline.result())
                    .put("recordings", recordingList)
                    .put("privacy_requests", requests.result().rows())
                    .put("corrections", corrections.result())
                    .put("audit_entries", auditRows)
                    .put("notes", new JsonArray()
                            .add("Times are UTC. Recordings are the decrypted audio as archived; their SHA-256 is "
                                    + "checked while the bundle is written.")
                            .add("Pauses for payments are in 'timeline': the recording holds silence (or nothing) "
                                    + "there by design.")
                            .add("Audit entries show what was done with this data and when; the names of the "
                                    + "employees who did it are withheld (their own personal data).")
                            .add("Employees who acted on a decision, a preference or a recording appear as "
                                    + "operator-1, operator-2, ...; 'caller' is the caller's own act."));
            return new Bundle(manifest, files);
        });
    }

    /**
     * Streams the bundle into {@code target} (an HTTP response) from a worker thread; call it on
     * {@code context}, the target's context. Completes once the last byte is handed over; the
     * caller ends the response.
     */
    public Future<ExportBundleWriter.Summary> stream(Bundle bundle, Context context, WriteStream<Buffer> target,
                                                     BackPressureHook hook) {
        RecordingArchive source = archive.get();
        if (source == null && !bundle.files().isEmpty()) {
            return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.UNAVAILABLE,
                    "the recording archive is not available"));
        }
        BackPressuredOutputStream out = new BackPressuredOutputStream(context, target, STALL);
        hook.onFailure(out::fail);
        return workers.executeBlocking(() -> {
            try (OutputStream buffered = new BufferedOutputStream(out, OUTPUT_BUFFER)) {
                return ExportBundleWriter.write(buffered, bundle.manifest(), readme(), bundle.files(),
                        (id, bytes) -> open(context, source, id, bytes));
            }
        }, false);
    }

    /** Lets the caller fail the stream from outside (the HTTP connection closed). */
    @FunctionalInterface
    public interface BackPressureHook {
        void onFailure(java.util.function.Consumer<Throwable> fail);
    }

    /** Writes the bundle into a file-like stream (the CLI); blocking work on the export workers. */
    public Future<ExportBundleWriter.Summary> writeTo(Bundle bundle, OutputStream out) {
        RecordingArchive source = archive.get();
        Context context = vertx.getOrCreateContext();
        return workers.executeBlocking(() -> {
            try (OutputStream buffered = new BufferedOutputStream(out, OUTPUT_BUFFER)) {
                return ExportBundleWriter.write(buffered, bundle.manifest(), readme(), bundle.files(),
                        (id, bytes) -> open(context, source, id, bytes));
            }
        }, false);
    }

    /** Opens a recording's plaintext on the event loop and hands the worker a blocking view of it. */
    private static InputStream open(Context context, RecordingArchive source, UUID id, long bytes) throws IOException {
        CompletableFuture<InputStream> opened = new CompletableFuture<>();
        context.runOnContext(v -> source.open(id, 0, bytes).onComplete(ar -> {
            if (ar.failed()) {
                opened.completeExceptionally(ar.cause());
            } else {
                opened.complete(new ReadStreamInputStream(context, ar.result(), STALL));
            }
        }));
        try {
            return opened.get(STALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening recording " + id);
        } catch (ExecutionException e) {
            throw new IOException("recording " + id + " cannot be opened: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("recording " + id + " did not open within " + STALL.toSeconds() + " s");
        }
    }

    private JsonObject controller() {
        PrivacySettings.Controller c = settings.controller();
        return new JsonObject().put("name", c.name().isEmpty() ? null : c.name())
                .put("contact", c.contact().isEmpty() ? null : c.contact())
                .put("data_protection_officer", c.dpoContact().isEmpty() ? null : c.dpoContact());
    }

    private static String readme() {
        return """
                Your data held by the call recording system
                ===========================================

                manifest.json         every call, consent decision (with the words you heard), payment
                                      pause, recording, correction and access to your data we hold, as JSON.
                manifest.schema.json  the JSON Schema (draft 2020-12) manifest.json follows, so that
                                      another system can read this bundle (GDPR Art. 20).
                recordings/           the recordings of your calls, decrypted, as they are stored: .opus
                                      files are Ogg Opus (Chrome, Edge, Firefox and VLC play them;
                                      'opusdec file.opus file.wav' converts one to WAV), .wav files play
                                      anywhere. The manifest names each file's media_type and codec, its
                                      SHA-256 checksum, and the SHA-256 and exact length of the recording
                                      as the telephone system first wrote it.

                Times are UTC. Questions: the controller's contact in manifest.json.
                """;
    }

    /**
     * The media type of a stored file, for the portable bundle: from the codec the archive stored it in,
     * or, for recordings stored before codecs existed, from Asterisk's format.
     */
    static String mediaType(String codec, String format) {
        if (codec != null) {
            return switch (Codec.fromSetting(codec)) {
                case OPUS -> "audio/ogg; codecs=opus";
                case ALAW, WAV -> "audio/wav";
            };
        }
        return switch (format == null ? "" : format) {
            case "wav", "wav16" -> "audio/wav";
            case "opus", "ogg" -> "audio/ogg; codecs=opus";
            case "alaw", "ulaw" -> "audio/basic";
            case "gsm" -> "audio/x-gsm";
            default -> "application/octet-stream";
        };
    }

    /** The stored form's extension: .opus for Ogg Opus, .wav for A-law and PCM WAV, else Asterisk's format. */
    private static String extension(String codec, String format) {
        if (codec != null) {
            return Codec.fromSetting(codec).fileExtension();
        }
        return format == null || !format.matches("[a-z0-9]{1,8}") ? "bin" : format;
    }

    /** Said in the manifest beside each file, so that the person can play what they received. */
    private static String howToPlay(String codec) {
        if (codec == null) {
            return "The file as the telephone system recorded it.";
        }
        return switch (Codec.fromSetting(codec)) {
            case OPUS -> "Ogg Opus audio: plays in Chrome, Edge and Firefox (drag the file into a window), in VLC, "
                    + "and converts to WAV with 'opusdec file.opus file.wav' (opus-tools) or "
                    + "'ffmpeg -i file.opus file.wav'. Safari plays Opus only in other containers: use VLC there.";
            case ALAW -> "WAV audio (G.711 A-law): plays in any audio player, VLC and every current browser.";
            case WAV -> "WAV audio (16-bit PCM), exactly as recorded: plays in any audio player and browser.";
        };
    }

    private static String whyNoFile(String state) {
        if (state == null) {
            return "not available";
        }
        return switch (ArchiveState.fromWire(state)) {
            case FINISHED, STORED -> "the recording is still being archived; ask again shortly";
            case DISCARDED -> "discarded because consent was withdrawn during the call";
            case REJECTED -> "deleted: it had no consent behind it";
            case LOST -> "lost before it was archived";
            case ERASED -> "erased on request";
            case EXPIRED -> "deleted at the end of its retention period";
            case VERIFIED, ARCHIVED -> "not available";
        };
    }

    private static Set<UUID> union(RowsAndIds a, RowsAndIds b) {
        Set<UUID> all = new LinkedHashSet<>(a.ids());
        all.addAll(b.ids());
        return all;
    }

    /** Rows as JSON and the ids of one of their columns. */
    private record RowsAndIds(JsonArray rows, List<UUID> ids) {
        static RowsAndIds of(JsonArray rows, String idColumn) {
            Set<UUID> ids = new LinkedHashSet<>();
            for (Object o : rows) {
                String id = ((JsonObject) o).getString(idColumn);
                if (id != null) {
                    ids.add(UUID.fromString(id));
                }
            }
            return new RowsAndIds(rows, List.copyOf(ids));
        }
    }

    /** A correction or supplementary statement (Art. 16) as the manifest carries it, with its place in the history. */
    static JsonObject json(Correction c) {
        return new JsonObject().put("id", c.id().toString()).put("scope", c.scope()).put("call_id", id(c.callId()))
                .put("caller_subject", c.subject()).put("kind", c.kind()).put("statement", c.statement())
                .put("supersedes", id(c.supersedes())).put("superseded_by", id(c.supersededBy()))
                .put("current", c.current()).put("created_at", JsonTime.format(c.createdAt()));
    }

    // ---- the manifest's records: every column under its name, times in UTC with milliseconds ------

    private static <T> JsonArray json(List<T> records, Function<T, JsonObject> toJson) {
        JsonArray a = new JsonArray();
        records.forEach(r -> a.add(toJson.apply(r)));
        return a;
    }

    private static String id(UUID id) {
        return id == null ? null : id.toString();
    }

    static JsonObject json(SubjectExportRepository.Call c) {
        return new JsonObject().put("id", c.id().toString()).put("channel_id", c.channelId())
                .put("channel_name", c.channelName()).put("linked_id", c.linkedId())
                .put("caller_subject", c.callerSubject()).put("asterisk_id", c.asteriskId())
                .put("started_at", JsonTime.format(c.startedAt())).put("phase", c.phase()).put("outcome", c.outcome())
                .put("consent_id", id(c.consentId())).put("recording_name", c.recordingName())
                .put("snoop_id", c.snoopId()).put("recording_state", c.recordingState()).put("paused", c.paused())
                .put("ended_at", JsonTime.format(c.endedAt())).put("state_seq", c.stateSeq())
                .put("updated_at", JsonTime.format(c.updatedAt()));
    }

    static JsonObject json(SubjectExportRepository.TimelineEntry t) {
        return new JsonObject().put("id", t.id()).put("call_id", t.callId().toString())
                .put("recording_name", t.recordingName()).put("change", t.change())
                .put("trigger_kind", t.triggerKind()).put("trigger_detail", t.triggerDetail())
                .put("offset_ms", t.offsetMs()).put("requested_at", JsonTime.format(t.requestedAt()))
                .put("accepted_at", JsonTime.format(t.acceptedAt())).put("pause_style", t.pauseStyle())
                .put("written_at", JsonTime.format(t.writtenAt()));
    }

    static JsonObject json(SubjectExportRepository.Recording r) {
        return new JsonObject().put("id", r.id().toString()).put("call_id", r.callId().toString())
                .put("name", r.name()).put("consent_id", id(r.consentId())).put("format", r.format())
                .put("state", r.state()).put("duration_seconds", r.durationSeconds())
                .put("duration_ms", r.durationMs()).put("plaintext_bytes", r.plaintextBytes())
                .put("sha256", r.sha256()).put("finished_at", JsonTime.format(r.finishedAt()))
                .put("archived_at", JsonTime.format(r.archivedAt())).put("removed_at", JsonTime.format(r.removedAt()))
                .put("codec", r.codec()).put("codec_parameters", r.codecParameters())
                .put("source_sha256", r.sourceSha256()).put("source_bytes", r.sourceBytes())
                .put("source_frames", r.sourceFrames());
    }

    static JsonObject json(ConsentRegistryRepository.Preference p) {
        return new JsonObject().put("preference", p.preference()).put("source", p.source())
                .put("changed_by", p.changedBy()).put("updated_at", JsonTime.format(p.updatedAt()))
                .put("decision_id", id(p.decisionId()));
    }

    static JsonObject json(ConsentRegistryRepository.PreferenceChange c) {
        return new JsonObject().put("preference", c.preference()).put("source", c.source())
                .put("changed_by", c.changedBy()).put("changed_at", JsonTime.format(c.changedAt()))
                .put("decision_id", id(c.decisionId()));
    }

    static JsonObject json(SubjectExportRepository.Request r) {
        return new JsonObject().put("id", r.id().toString()).put("kind", r.kind())
                .put("received_at", JsonTime.format(r.receivedAt())).put("due_at", JsonTime.format(r.dueAt()))
                .put("status", r.status()).put("completed_at", JsonTime.format(r.completedAt()));
    }

    /** The detail stays text here; the manifest parses it below. */
    static JsonObject json(SubjectExportRepository.AuditRecord a) {
        return new JsonObject().put("seq", a.seq()).put("at", JsonTime.format(a.at())).put("actor_kind", a.actorKind())
                .put("action", a.action()).put("target_type", a.targetType()).put("target_id", a.targetId())
                .put("reason", a.reason()).put("outcome", a.outcome()).put("detail", a.detail());
    }
}
