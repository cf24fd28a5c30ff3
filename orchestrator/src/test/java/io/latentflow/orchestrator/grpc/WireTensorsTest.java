package io.latentflow.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTensorsTest {

    /** (2, 1, 2) int32 holding 0..3. */
    private static final Tensor TWO_BY_ONE_BY_TWO = Tensor.newBuilder()
            .addAllShape(List.of(2L, 1L, 2L))
            .setDtype(DType.INT32)
            .setData(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}))
            .build();

    @Test
    void checkedRejectsDataThatDoesNotMatchTheShape() {
        WireTensors.checked(TWO_BY_ONE_BY_TWO, "t");
        Tensor shortData = TWO_BY_ONE_BY_TWO.toBuilder().setData(ByteString.copyFrom(new byte[4])).build();
        assertThrows(IllegalStateException.class, () -> WireTensors.checked(shortData, "t"));
    }
}
