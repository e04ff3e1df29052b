-- What a recording is stored as (issue 20, docs/audio-codecs.md). The archive stores Asterisk's WAV as
-- Ogg Opus, A-law or unchanged, chosen by CR_ARCHIVE_CODEC when it is fetched; the choice travels with
-- the recording, so recordings stored under different settings live side by side.
--
--   codec             opus | alaw | wav; null: stored as Asterisk wrote it without being read as audio
--                     (rows from before this migration, and files that are not a WAV this archive reads)
--   codec_parameters  EncodingParameters.toText(), e.g. 'codec=opus rate=8000 channels=1 bitrate=16000
--                     complexity=5 frame=20ms preskip=312'; null when codec is null
--   source_sha256     SHA-256 of the file as Asterisk wrote it (header included): the evidence of what was
--                     recorded, kept because opus and alaw do not store those bytes; removed with the audio
--                     (erasure, retention), as plaintext_sha256 is
--   source_bytes      its length
--   source_frames     its duration in frames (samples per channel) at the rate in codec_parameters: exact;
--                     the verification refuses a stored copy that decodes to any other length
alter table recording
    add column codec text check (codec in ('opus', 'alaw', 'wav')),
    add column codec_parameters text,
    add column source_sha256 bytea,
    add column source_bytes bigint,
    add column source_frames bigint,
    add constraint recording_codec_described check ((codec is null) = (codec_parameters is null)),
    add constraint recording_codec_measured check (codec is null or (source_frames is not null
        and source_bytes is not null));
