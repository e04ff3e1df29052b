-- A call recorded in stereo (CR_RECORDING_CHANNELS=stereo, issue 20 item 4) has two recordings on Asterisk, one per
-- direction, archived as one stereo recording under the first leg's row. The second leg lives in these columns:
--
--   out_name           the second leg's recording on Asterisk ('cr-<call id>-out'); null for a mono recording. Its
--                      file is deleted on Asterisk only after the stereo copy verified, as the first leg's is
--   out_offset_ms      how much later the second leg started than the first, by their RecordingStarted times; null
--                      when either time was not known (aligned as 0). The archive puts silence in front of the later
--                      leg, the offset rounded to whole 20 ms frames (audio.StereoAlignment)
--   out_source_sha256  SHA-256 of the second leg's file as Asterisk wrote it; source_sha256 is the first leg's and
--                      source_bytes both files' bytes; source_frames is the aligned stereo length. It goes whenever
--                      source_sha256 goes (erasure, retention): the trigger below sees to it
--   out_source_bytes   the second leg's file's length
alter table recording
    add column out_name text unique check (out_name is null or out_name = name || '-out'),
    add column out_offset_ms bigint check (out_offset_ms is null or abs(out_offset_ms) <= 60000),
    add column out_source_sha256 bytea,
    add column out_source_bytes bigint,
    add constraint recording_out_leg_evidence check (out_source_sha256 is null
        or (out_name is not null and source_sha256 is not null));

create function cr_recording_out_evidence_follows() returns trigger
    language plpgsql as $$
begin
    if new.source_sha256 is null then
        new.out_source_sha256 := null;
    end if;
    return new;
end
$$;

create trigger recording_out_evidence_follows before update on recording
    for each row execute function cr_recording_out_evidence_follows();
