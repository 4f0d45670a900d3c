"""The allocation claim as one PostgreSQL function: one round trip instead of six statements.

Under load a claim is CPU-bound on the client (compiling and sending six statements and
building rows); the function does the same locking, slot read, hash, chain move and audit row
server-side. The hash is the canonical one of trial/chain.py (sorted keys, no spaces, UTC
timestamp with microseconds), so rows verify in Python whichever path wrote them; a test
compares the two on the same inputs. The caller passes only printable-ASCII keys (where
PostgreSQL's and Python's JSON escaping agree) and falls back to the Python path whenever the
function returns no row: trial not recruiting, stratum not made, or sequence to be extended.
Nothing is written in those cases. SQLite has no function: its claims always take Python.
"""

from django.db import migrations

POSTGRES_UP = r"""
CREATE OR REPLACE FUNCTION trial_allocation_claim(
    p_trial bigint, p_participant_key text, p_person_key text, p_stratum_key text,
    p_by bigint, p_randomised_on date, p_at timestamptz
) RETURNS TABLE (
    r_id bigint, r_seq integer, r_prev_hash text, r_row_hash text, r_stratum bigint,
    r_slot bigint, r_position integer, r_block integer, r_block_size integer,
    r_arm bigint, r_arm_code text, r_arm_name text, r_arm_ratio integer,
    r_arm_intervention boolean, r_arm_order integer, r_notify boolean
) LANGUAGE plpgsql AS $fn$
DECLARE
    t record;
    s record;
    sl record;
    v_id bigint;
    v_seq integer;
    v_hash text;
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
    v_seq := s.chain_length + 1;
    -- Keys in sorted order, as json.dumps(sort_keys=True, separators=(",", ":")) writes them.
    v_hash := encode(sha256(convert_to(
        '{"allocated_at":' || to_json(to_char(p_at AT TIME ZONE 'UTC',
                                              'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00')::text
        || ',"allocated_by":' || coalesce(p_by::text, 'null')
        || ',"arm":' || to_json(sl.code::text)::text
        || ',"block":' || sl.block_number
        || ',"design":' || s.design
        || ',"participant_key":' || to_json(p_participant_key)::text
        || ',"person_key":' || to_json(p_person_key)::text
        || ',"position":' || s.next_position
        || ',"prev_hash":' || to_json(s.chain_head::text)::text
        || ',"randomised_on":' || to_json(to_char(p_randomised_on, 'YYYY-MM-DD'))::text
        || ',"seq":' || v_seq
        || ',"stratum":' || to_json(s.key::text)::text
        || ',"trial":' || to_json(t.code::text)::text
        || '}', 'UTF8')), 'hex');
    INSERT INTO trial_allocation (trial_id, seq, participant_key, person_key, stratum_id,
                                  slot_id, imported, arm_id, randomised_on, allocated_at,
                                  allocated_by_id, prev_hash, row_hash)
         VALUES (p_trial, v_seq, p_participant_key, p_person_key, s.id, sl.id, false, sl.arm,
                 p_randomised_on, p_at, p_by, s.chain_head, v_hash)
      RETURNING id INTO v_id;
    UPDATE trial_stratum SET next_position = s.next_position + 1, chain_length = v_seq,
                             chain_head = v_hash
     WHERE id = s.id;
    -- The audit row names the participant and chain position, never the arm.
    INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, detail)
         VALUES (p_at, p_by, 'allocation.claim', 'trial.Allocation', v_id::text,
                 jsonb_build_object('trial', t.code, 'participant', p_participant_key,
                                    'stratum', s.key, 'seq', v_seq));
    RETURN QUERY SELECT v_id, v_seq, s.chain_head::text, v_hash, s.id, sl.id,
                        s.next_position::integer, sl.block_number::integer,
                        sl.block_size::integer, sl.arm, sl.code::text, sl.name::text,
                        sl.ratio::integer, sl.is_intervention, sl.arm_order::integer,
                        t.research_email <> '';
END;
$fn$;
"""
POSTGRES_DOWN = """
DROP FUNCTION IF EXISTS trial_allocation_claim(bigint, text, text, text, bigint, date, timestamptz);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("trial", "0006_stratum_chain_constraints"), ("common", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
