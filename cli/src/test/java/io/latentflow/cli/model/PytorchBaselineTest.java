package io.latentflow.cli.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch side of bench-model: an interpreter that cannot run the baseline is named with what it needs. */
class PytorchBaselineTest {

    @Test
    void anInterpreterThatCannotRunTheScriptIsReportedWithWhatItNeeds() {
        Path config = Path.of(System.getProperty("latentflow.oracle"), "pipeline_sd_tiny", "unet", "config.json");
        IllegalStateException notPython = assertThrows(IllegalStateException.class,
                () -> PytorchBaseline.measure("/bin/sh", "unet", config, 1, 8, 8, 1, 0, 1));
        assertTrue(notPython.getMessage().contains("needs /bin/sh with torch")
                && notPython.getMessage().contains("python3-torch"), notPython.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> PytorchBaseline.measure("/no/such/python3", "unet", config, 1, 8, 8, 1, 0, 1));
        assertTrue(missing.getMessage().contains("cannot run /no/such/python3"), missing.getMessage());
    }
}
