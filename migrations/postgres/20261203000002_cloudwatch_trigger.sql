-- A snapshot may now be taken after a CloudWatch sweep (its figures moved a cluster's
-- health).
ALTER TABLE snapshots DROP CONSTRAINT snapshots_trigger_check;
ALTER TABLE snapshots ADD CONSTRAINT snapshots_trigger_check
    CHECK (trigger IN ('refresh', 'probe', 'cloudwatch'));
