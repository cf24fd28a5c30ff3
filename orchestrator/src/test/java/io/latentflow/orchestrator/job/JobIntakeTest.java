package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobIntakeTest {

    private final JobIntake intake =
            new JobIntake(new RequestValidator(RequestLimits.defaults()));

    @Test
    void takesTheJobIdFromTheRecordKeyWhenTheRequestHasNone() {
        JobIntake.Accepted accepted = assertInstanceOf(JobIntake.Accepted.class,
                intake.accept("key-1", "{\"prompt\":\"a cat\"}"));
        assertEquals("key-1", accepted.spec().jobId());
    }

    @Test
    void prefersTheRequestsOwnJobId() {
        JobIntake.Accepted accepted = assertInstanceOf(JobIntake.Accepted.class,
                intake.accept("key-1", "{\"job_id\":\"own\",\"prompt\":\"a cat\"}"));
        assertEquals("own", accepted.spec().jobId());
    }

    @Test
    void rejectsMalformedJsonUnderTheRecordKey() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class, intake.accept("key-2", "{nope"));
        assertEquals(Optional.of("key-2"), rejected.jobId());
        assertEquals("json", rejected.field());
    }

    @Test
    void rejectsARecordNamingItsJobTwiceUnderTheRecordKey() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class,
                intake.accept("key-4", "{\"jobId\":\"a\",\"job_id\":\"b\",\"prompt\":\"a cat\"}"));
        assertEquals(Optional.of("key-4"), rejected.jobId());
    }

    @Test
    void rejectsInvalidFieldsUnderTheRequestsJobId() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class,
                intake.accept("key-3", "{\"job_id\":\"own\",\"prompt\":\"a\",\"steps\":0}"));
        assertEquals(Optional.of("own"), rejected.jobId());
        assertEquals("steps", rejected.field());
    }

    @Test
    void rejectsUnreadableFieldsUnderTheRequestsJobId() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class,
                intake.accept(null, "{\"job_id\":\"own\",\"prompt\":\"a\",\"steps\":\"x\"}"));
        assertEquals(Optional.of("own"), rejected.jobId());
        assertEquals("steps", rejected.field());
    }

    @Test
    void rejectsRecordsWithoutAnyJobId() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class,
                intake.accept(null, "{\"prompt\":\"a cat\"}"));
        assertEquals(Optional.empty(), rejected.jobId());
        assertEquals("job_id", rejected.field());
    }

    @Test
    void rejectsNullValues() {
        JobIntake.Rejected rejected = assertInstanceOf(JobIntake.Rejected.class, intake.accept("k", null));
        assertEquals(Optional.of("k"), rejected.jobId());
        assertEquals("json", rejected.field());
    }
}
