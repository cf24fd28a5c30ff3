package io.latentflow.cli;

import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetValidator;
import io.latentflow.core.text.ClipTextConfig;
import io.latentflow.core.text.ClipTokenizer;
import io.latentflow.deploy.RepositoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a dataset is checked and stored on upload: the model whose token limit captions must fit, and --replace. */
final class DatasetUploadOptions {

    static final String DEFAULT_MODEL = "tiny-sd/1";

    @Option(names = "--model", paramLabel = "DIR",
            description = "diffusers pipeline folder whose tokenizer/ and text_encoder/ bound caption length"
                + " (default: models/" + DEFAULT_MODEL + " of the repository)")
    Path model;

    @Option(names = "--replace", description = "replace a dataset of the same name in the object store")
    boolean replace;

    /** Checks {@code dir} locally, then uploads it as datasets/<name>/ and prints where it went. */
    void upload(Path dir, String name, int resolutionPx) throws Exception {
        DatasetUploader.requireValidName(name);
        CliEnvironment environment = CliEnvironment.detect();
        Dataset dataset = validator(environment.layout(), resolutionPx).validate(dir);
        String location = new DatasetUploader(environment.endpoints()).upload(dataset, name, replace);
        System.out.println("uploaded " + dataset.size() + " images and " + Dataset.METADATA_FILE + " to " + location);
    }

    DatasetValidator validator(RepositoryLayout layout, int resolutionPx) {
        Path folder = model != null ? model : layout.models().resolve(DEFAULT_MODEL);
        Path tokenizerDir = folder.resolve("tokenizer");
        Path encoderConfig = folder.resolve("text_encoder").resolve("config.json");
        if (!Files.isDirectory(tokenizerDir) || !Files.isRegularFile(encoderConfig)) {
            throw new IllegalArgumentException(folder + " has no tokenizer/ and text_encoder/config.json to count"
                + " caption tokens with; pass --model DIR");
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        // the encoder has max_position_embeddings positions; the tokenizer truncates at its own max length,
        // so a caption must fit both to reach the encoder whole
        int maxTokens = Math.min(ClipTextConfig.read(encoderConfig).maxPositionEmbeddings(), tokenizer.maxLength());
        return new DatasetValidator(resolutionPx, DatasetValidator.clipTokenCount(tokenizer), maxTokens);
    }
}
