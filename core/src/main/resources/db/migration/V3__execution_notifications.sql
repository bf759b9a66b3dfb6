-- The owner that claimed an execution's one notification (success or failure), so a process
-- that lost the execution, or one that resumes it, never sends it a second time.
ALTER TABLE executions ADD COLUMN notified_by VARCHAR(255);
