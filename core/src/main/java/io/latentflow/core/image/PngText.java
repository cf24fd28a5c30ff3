package io.latentflow.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG files with a text chunk, written and read through javax.imageio's PNG metadata: tEXt when the text is Latin-1
 * (as the PNG specification wants it), iTXt (UTF-8) otherwise, as Pillow does.
 */
public final class PngText {

    /** The keyword AUTOMATIC1111 and the tools that read its images use for the generation parameters. */
    public static final String PARAMETERS = "parameters";

    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngText() {
    }

    /** PNG bytes of {@code image} with a text chunk per entry of {@code texts} (keyword to text). */
    public static byte[] encode(BufferedImage image, Map<String, String> texts) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    param);
            for (Map.Entry<String, String> text : texts.entrySet()) {
                metadata.mergeTree(FORMAT, textTree(text.getKey(), text.getValue()));
            }
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The text under {@code keyword} in a PNG's tEXt, iTXt or zTXt chunks, or empty (also for other formats). */
    public static Optional<String> read(byte[] png, String keyword) {
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, false);
                IIOMetadata metadata = reader.getImageMetadata(0);
                if (!FORMAT.equals(metadata.getNativeMetadataFormatName())) {
                    return Optional.empty();
                }
                return find((IIOMetadataNode) metadata.getAsTree(FORMAT), keyword);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PNG metadata", e);
        }
    }

    private static IIOMetadataNode textTree(String keyword, String text) {
        boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(text);
        IIOMetadataNode chunk = new IIOMetadataNode(latin1 ? "tEXt" : "iTXt");
        IIOMetadataNode entry = new IIOMetadataNode(latin1 ? "tEXtEntry" : "iTXtEntry");
        entry.setAttribute("keyword", keyword);
        if (latin1) {
            entry.setAttribute("value", text);
        } else {
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", text);
        }
        chunk.appendChild(entry);
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        root.appendChild(chunk);
        return root;
    }

    private static Optional<String> find(IIOMetadataNode root, String keyword) {
        for (String chunk : new String[] {"tEXt", "iTXt", "zTXt"}) {
            for (Node entry = firstChild(root, chunk); entry != null; entry = entry.getNextSibling()) {
                IIOMetadataNode node = (IIOMetadataNode) entry;
                if (keyword.equals(node.getAttribute("keyword"))) {
                    return Optional.of(node.hasAttribute("text") ? node.getAttribute("text")
                            : node.getAttribute("value"));
                }
            }
        }
        return Optional.empty();
    }

    private static Node firstChild(IIOMetadataNode root, String chunk) {
        for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (chunk.equals(node.getNodeName())) {
                return node.getFirstChild();
            }
        }
        return null;
    }
}
