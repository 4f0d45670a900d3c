"""The claim function reads the clock itself, after taking its locks.

0007's function was given the time by Python before the call, and the call may wait for the
stratum's lock (a claim in flight, a sequence being extended) or the trial's (a design change or
status change): the allocation then carried a time from before it could be made, and a chain's
times could go backwards. The Python path reads the clock after its locks; now so does the
function (clock_timestamp(), not now(), which is the transaction's start). The default
randomisation day is that time's date in the site's zone (p_tz). p_at remains for the tests that
compare the two hashes at chosen times.
"""

import importlib

from django.db import migrations

OLD_SIGNATURE = "trial_allocation_claim(bigint, text, text, text, bigint, date, timestamptz)"
NEW_SIGNATURE = "trial_allocation_claim(bigint, text, text, text, bigint, date, text, timestamptz)"

POSTGRES_UP = r"""
CREATE OR REPLACE FUNCTION trial_allocation_claim(
    p_trial bigint, p_participant_key text, p_person_key text, p_stratum_key text,
    p_by bigint, p_randomised_on date, p_tz text, p_at timestamptz DEFAULT NULL
) RETURNS TABLE (
    r_id bigint, r_seq integer, r_prev_hash text, r_row_hash text, r_stratum bigint,
    r_slot bigint, r_position integer, r_block integer, r_block_size integer,
    r_arm bigint, r_arm_code text, r_arm_name text, r_arm_ratio integer,
    r_arm_intervention boolean, r_arm_order integer, r_notify boolean,
    r_allocated_at timestamptz, r_randomised_on date
) LANGUAGE plpgsql AS $fn$
DECLARE
    t record;
    s record;
    sl record;
    v_id bigint;
    v_seq integer;
    v_hash text;
    v_at timestamptz;
    v_on date;
BEGIN
    -- Shared with other claims; a status or design change (FOR UPDATE) waits for us.
    SELECT tr.code, tr.status, tr.allocations_imported, tr.research_email INTO t
      FROM trial_trial tr WHERE tr.id = p_trial FOR SHARE;
    IF NOT FOUND OR t.status <> 'recruiting' OR t.allocations_imported THEN
        RETURN;
    END IF;
    -- The stratum of the design in force, locked until commit: it serialises this stratum only.
    SELECT st.id, st.key, st.next_position, st.chain_length, st.chain_head, d.number AS design
      INTO s
      FROM trial_stratum st JOIN trial_designversion d ON d.id = st.design_id
     WHERE st.trial_id = p_trial AND st.key = p_stratum_key
       AND st.design_id = (SELECT dv.id FROM trial_designversion dv WHERE dv.trial_id = p_trial
                           ORDER BY dv.number DESC LIMIT 1)
       FOR UPDATE OF st;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT x.id, x.block_number, x.block_size, a.id AS arm, a.code, a.name, a.ratio,
           a.is_intervention, a."order" AS arm_order
      INTO sl
      FROM trial_slot x JOIN trial_arm a ON a.id = x.arm_id
     WHERE x.stratum_id = s.id AND x.position = s.next_position;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- The time of the allocation is read now, with the locks held, as the Python path does:
    -- along a chain, and after a design change it waited for, times never go backwards.
    v_at := coalesce(p_at, clock_timestamp());
    v_on := coalesce(p_randomised_on, (v_at AT TIME ZONE p_tz)::date);
    v_seq := s.chain_length + 1;
    -- Keys in sorted order, as json.dumps(sort_keys=True, separators=(",", ":")) writes them.
    v_hash := encode(sha256(convert_to(
        '{"allocated_at":' || to_json(to_char(v_at AT TIME ZONE 'UTC',
                                              'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00')::text
        || ',"allocated_by":' || coalesce(p_by::text, 'null')
        || ',"arm":' || to_json(sl.code::text)::text
        || ',"block":' || sl.block_number
        || ',"design":' || s.design
        || ',"participant_key":' || to_json(p_participant_key)::text
        || ',"person_key":' || to_json(p_person_key)::text
        || ',"position":' || s.next_position
        || ',"prev_hash":' || to_json(s.chain_head::text)::text
        || ',"randomised_on":' || to_json(to_char(v_on, 'YYYY-MM-DD'))::text
        || ',"seq":' || v_seq
        || ',"stratum":' || to_json(s.key::text)::text
        || ',"trial":' || to_json(t.code::text)::text
        || '}', 'UTF8')), 'hex');
    INSERT INTO trial_allocation (trial_id, seq, participant_key, person_key, stratum_id,
                                  slot_id, imported, arm_id, randomised_on, allocated_at,
                                  allocated_by_id, prev_hash, row_hash)
         VALUES (p_trial, v_seq, p_participant_key, p_person_key, s.id, sl.id, false, sl.arm,
                 v_on, v_at, p_by, s.chain_head, v_hash)
      RETURNING id INTO v_id;
    UPDATE trial_stratum SET next_position = s.next_position + 1, chain_length = v_seq,
                             chain_head = v_hash
     WHERE id = s.id;
    -- The audit row names the participant and chain position, never the arm.
    INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, detail)
         VALUES (v_at, p_by, 'allocation.claim', 'trial.Allocation', v_id::text,
                 jsonb_build_object('trial', t.code, 'participant', p_participant_key,
                                    'stratum', s.key, 'seq', v_seq));
    RETURN QUERY SELECT v_id, v_seq, s.chain_head::text, v_hash, s.id, sl.id,
                        s.next_position::integer, sl.block_number::integer,
                        sl.block_size::integer, sl.arm, sl.code::text, sl.name::text,
                        sl.ratio::integer, sl.is_intervention, sl.arm_order::integer,
                        t.research_email <> '', v_at, v_on;
END;
$fn$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE};")
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NEW_SIGNATURE};")
        previous = importlib.import_module("trial.migrations.0007_claim_function")
        schema_editor.execute(previous.POSTGRES_UP)


class Migration(migrations.Migration):
    dependencies = [("trial", "0008_allocation_indexes_from_constraints")]
    operations = [migrations.RunPython(forwards, backwards)]
