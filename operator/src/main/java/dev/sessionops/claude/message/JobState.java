package dev.sessionops.claude.message;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

/** Reads a Job's outcome the way the Job controller reports it. */
public record JobState(boolean finished, boolean complete, String failureReason, String failureMessage) {

    public static JobState of(Job job) {
        if (job.getStatus() != null && job.getStatus().getConditions() != null) {
            for (JobCondition c : job.getStatus().getConditions()) {
                if (!"True".equals(c.getStatus())) {
                    continue;
                }
                if ("Complete".equals(c.getType())) {
                    return new JobState(true, true, null, null);
                }
                if ("Failed".equals(c.getType())) {
                    return new JobState(true, false, c.getReason(), c.getMessage());
                }
            }
        }
        return new JobState(false, false, null, null);
    }

    public boolean deadlineExceeded() {
        return "DeadlineExceeded".equals(failureReason);
    }
}
