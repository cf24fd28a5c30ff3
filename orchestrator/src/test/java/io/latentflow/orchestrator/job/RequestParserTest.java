package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.proto.GenerationRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestParserTest {

    @Test
    void readsProtoAndJsonFieldNames() {
        GenerationRequest request = RequestParser.parse(
                "{\"job_id\":\"j1\",\"prompt\":\"a cat\",\"numImages\":2,\"guidance_scale\":3.5,"
                        + "\"model\":{\"name\":\"tiny-sd\",\"version\":\"1\"},\"seed\":\"12\"}");
        assertEquals("j1", request.getJobId());
        assertEquals(2, request.getNumImages());
        assertEquals(3.5f, request.getGuidanceScale());
        assertEquals("tiny-sd", request.getModel().getName());
        assertEquals(12L, request.getSeed());
        assertTrue(request.hasNumImages());
        assertTrue(!request.hasWidth());
    }

    @Test
    void rejectsMalformedJson() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\": \"a cat\", "));
        assertEquals(RequestParser.JSON_FIELD, e.field());
        assertTrue(e.reason().startsWith("malformed JSON"), e.reason());
    }

    @Test
    void rejectsValuesThatAreNotObjects() {
        assertEquals("json", assertThrows(InvalidRequestException.class, () -> RequestParser.parse("[1,2]")).field());
        assertEquals("json", assertThrows(InvalidRequestException.class, () -> RequestParser.parse("42")).field());
        assertEquals("json", assertThrows(InvalidRequestException.class, () -> RequestParser.parse("")).field());
        assertEquals("json", assertThrows(InvalidRequestException.class, () -> RequestParser.parse(null)).field());
        assertEquals("json", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("not json at all")).field());
    }

    @Test
    void rejectsUnknownFieldsByName() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a cat\",\"step\":50}"));
        assertEquals("step", e.field());
        assertTrue(e.reason().contains("unknown field"), e.reason());
    }

    @Test
    void namesTheFieldWhoseValueHasTheWrongType() {
        assertEquals("steps", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a\",\"steps\":\"many\"}")).field());
        assertEquals("width", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a\",\"width\":64.5}")).field());
        assertEquals("num_images", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a\",\"numImages\":[1]}")).field());
        assertEquals("karras", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a\",\"karras\":\"maybe\"}")).field());
        assertEquals("model", assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("{\"prompt\":\"a\",\"model\":\"tiny-sd\"}")).field());
    }

    @Test
    void findsTheJobIdOfRecordsThatDoNotParse() {
        assertEquals(Optional.of("j7"), RequestParser.jobIdOf("{\"job_id\":\"j7\",\"steps\":\"x\"}"));
        assertEquals(Optional.of("j8"), RequestParser.jobIdOf("{\"jobId\":\"j8\"}"));
        assertEquals(Optional.empty(), RequestParser.jobIdOf("{\"job_id\":5}"));
        assertEquals(Optional.empty(), RequestParser.jobIdOf("{oops"));
    }
}
